"""Regenerate lib/tremorlab/data_registry.json (the registry shipped in the package) from a folder of the sample data (maintainers only).

    python data/make_registry.py ../shared/data

The descriptive fields live in DATASETS below; file lists, sizes and SHA-256 come from the
folder itself, so the registry always names exactly the files that make our sample.
"""

import hashlib
import json
import sys
from pathlib import Path

GH = "https://raw.githubusercontent.com/{repo}/{commit}/{prefix}"

DATASETS = {
    "uci_spiral_tablet": dict(
        title="UCI Parkinson disease spiral drawings using a digitized graphics tablet (hw_dataset)",
        description="Wacom Cintiq spirals (static, dynamic) and a hold-still test; 15 controls, 25 PD.",
        licence="CC BY 4.0 (UCI; to be re-checked before redistribution)",
        citation="Isenkul M.E., Sakar B.E., Kursun O. Improved spiral test using digitized graphics tablet for "
                 "monitoring Parkinson's disease. ICEHTM 2014, 171-175. UCI ML Repository, doi:10.24432/C5Q01S.",
        bibkey="isenkul2014",
        homepage="https://archive.ics.uci.edu/dataset/395",
        caveats=["sampling rate differs by class (controls ~142 Hz, PD ~111 Hz): resample before features",
                 "units of X, Y, Z and grip angle are not documented",
                 "a few repeated or backward time stamps: read with repair_time=True"],
        source=dict(repo="lppier/Clinical-Health-Parkinsons-Analytics", commit="7df224668fa39c18a7bfebd86964c0b8bef77690",
                    map=[("hw_dataset/control/", "Spiral_Tests_Analytics/data/control/"),
                         ("hw_dataset/parkinson/", "Spiral_Tests_Analytics/data/parkinsons/")])),
    "kaggle_spiral_drawings": dict(
        title="Parkinson's drawings (Kaggle), spiral images",
        description="Free-hand spiral images, 51 healthy and 51 PD, split into training and testing.",
        licence="not established (check the Kaggle page before redistribution)",
        citation="Zham P., Kumar D.K., Dabnichki P., Poosapadi Arjunan S., Raghav S. Distinguishing different stages "
                 "of Parkinson's disease using composite index of speed and pen-pressure of sketching a spiral. "
                 "Front. Neurol. 8:435 (2017).",
        bibkey="zham2017",
        homepage="https://www.kaggle.com/datasets/kmader/parkinsons-drawings",
        caveats=["the train/test split is not by subject", "training images are greyscale, testing RGB",
                 "no CRST grades, binary labels only"],
        source=dict(repo="MochammadIndraM/Detection-Parkinson-Deasease-Using-CNN",
                    commit="793eb7169a7d7a0d4b5dd86328df85cafd0c56ea", map=[("spiral/", "drawings/spiral/")])),
    "newhandpd_spiral_samples": dict(
        title="NewHandPD spiral images (6-subject sample)",
        description="Spirals traced over a printed template, scanned; 3 healthy and 3 PD subjects x 4.",
        licence="not established (check the authors' terms before redistribution)",
        citation="Pereira C.R., Weber S.A.T., Hook C., Rosa G.H., Papa J.P. Deep learning-aided Parkinson's disease "
                 "diagnosis from handwritten dynamics. SIBGRAPI 2016.",
        bibkey="pereira2016",
        homepage="https://wwwp.fc.unesp.br/~papa/pub/datasets/Handpd/",
        caveats=["no CRST grades, binary labels only", "scan crops and sizes differ"],
        source=dict(repo="andyathsid/parked-ml-dev", commit="dab58cf951ba25d29831a3e852c610902220bacd",
                    map=[("", "hand-writing-detection/data/raw/NewHandPD/")])),
    "pahaw_bdalab_svc_sample": dict(
        title="PaHaW handwriting, 4-writer example subset (BDALab)",
        description="Wacom Intuos online handwriting (.svc): spiral, 'l' sequences, words; 2 HC + 2 PD.",
        licence="MIT (the example subset only; the full PaHaW database needs a licence agreement)",
        citation="Drotar P., Mekyska J., Rektorova I., Masarova L., Smekal Z., Faundez-Zanuy M. Evaluation of "
                 "handwriting kinematics and pressure for differential diagnosis of Parkinson's disease. "
                 "Artif. Intell. Med. 67 (2016) 39-46.",
        bibkey="drotar2016",
        homepage="https://github.com/BDALab/handwriting-features",
        caveats=["time stamps give ~132 Hz, not the nominal 200 Hz", "azimuth/altitude units undocumented "
                 "(taken as tenths of a degree)", "4 writers: no claims"],
        source=dict(repo="BDALab/handwriting-features", commit="e4713c94e7ee8992d6b2c2bd3c02497d266f0e72",
                    map=[("", "examples/data/")])),
    "uci_emg_gestures_myo": dict(
        title="UCI EMG data for gestures (Myo armband), subjects 01 and 03",
        description="8-channel Myo forearm sEMG during static hand gestures; healthy subjects.",
        licence="CC BY 4.0 (UCI; not checked)",
        citation="Lobov S., Krilova N., Kastalskiy I., Kazantsev V., Makarov V.A. Latent factors limiting the "
                 "performance of sEMG-interfaces. Sensors 18(4):1122 (2018).",
        bibkey="lobov2018",
        homepage="https://archive.ics.uci.edu/dataset/481",
        caveats=["~90 % of rows repeat the previous vector (sample-and-hold on a 1 kHz clock): collapsed on read",
                 "values are 8-bit counts x 1e-5, not calibrated volts", "healthy subjects, no handwriting"],
        source=dict(repo="andreped/DSS", commit="42a284bae8366b8d99a673649776b7b8d8ddff5e",
                    map=[("", "data/EMG_data_for_gestures/")])),
    "pads_smartwatch": dict(
        title="PADS Parkinson's disease smartwatch dataset, 3-subject metadata and preprocessed sample",
        description="Apple Watch accelerometer + gyroscope, preprocessed 132 x 976 matrices and JSON metadata.",
        licence="PhysioNet open access (licence line not confirmed)",
        citation="Varghese J., Brenner A., Plagwitz L., van Alen C., Fujarski M., Warnecke T. PADS - Parkinsons "
                 "Disease Smartwatch dataset (version 1.0.0). PhysioNet (2024), doi:10.13026/m0w9-zx22.",
        bibkey="varghese2024",
        homepage="https://doi.org/10.13026/m0w9-zx22",
        caveats=["no PD or ET subject; subject 002 has rest tremor ('other movement disorder')",
                 "block order of the preprocessed matrix is not verified", "not a test set"],
        source=dict(repo="sonnymarmon/parkinsons-personalized-ensemble",
                    commit="50d7c75f93d9c5a627ed32335a01c7fc59484d6b", flat="data/raw/")),
    "tremor_severity_imu": dict(
        title="Rated hand-tremor accelerometry: TIM-Tremor and IMU-Wild windows (severity 0-3)",
        description="3-axis hand accelerometry of Parkinson's patients (and controls in IMU-Wild), 50 Hz, "
                    "2.56-s windows rated 0-3; TIM-Tremor 340 segments / 3 092 windows, IMU-Wild 1 944 / 12 517.",
        licence="none stated by the compilers; the source datasets have their own terms (research use)",
        citation="Compiled by Wen S. et al. (IJCNN 2023, two papers on domain adaptation for sensor-based activity "
                 "and disease-severity classification) from TIM-Tremor and from Papadopoulos A. et al., Detecting "
                 "parkinsonian tremor from IMU data collected in-the-wild using deep multiple-instance learning, "
                 "IEEE JBHI 24(9) (2020).",
        bibkey="papadopoulos2020imuwild",
        homepage="https://github.com/jiehu01/Parkinson-s-Disease-Tremor-Dataset",
        caveats=["units differ: TIM-Tremor is stored in g, IMU-Wild in m/s^2 (the reader converts to m/s^2)",
                 "every window had its own mean removed (no gravity); windows of a segment join after a shift",
                 "no person identifier: a segment (file) is the unit of every split",
                 "severity is constant within each segment; severity 3 is rare in IMU-Wild"],
        source=dict(repo="jiehu01/Parkinson-s-Disease-Tremor-Dataset",
                    commit="e8056bfddae9cbb584eaea60a3b0170112a04d73",
                    map=[("Tim-Tremor/", "Tim-Tremor/"), ("IMU-Wild/", "IMU-Wild/")])),
    "drotar_dysgraphia_svc": dict(
        title="Children's online handwriting with dysgraphia labels (Drotár & Dobeš 2020), 90 of 120 children",
        description="Wacom tablet sessions (.svc: x y t pen azimuth altitude pressure) of Slovak children aged 8-15, "
                    "one session of eight lines of writing per child; label sheet (dysgraphic or not, sex, hand, age).",
        licence="none stated by the authors (published openly as the paper's data); cite the paper, research use only",
        citation="Drotár P., Dobeš M. Dysgraphia detection through machine learning. Scientific Reports 10, 21541 (2020), "
                 "doi:10.1038/s41598-020-78611-9.",
        bibkey="drotar2020dysgraphia",
        homepage="https://github.com/peet292929/Dysgraphia-detection-through-machine-learning",
        caveats=["label sheet is untidy: diag 'DYSGR' / '0' / 0, stray spaces in sex and hand, empty rows and columns",
                 "30 children of the sheet have no session here (kept aside): reported, not fatal",
                 "child 135's first file is empty; its data is in hw00002",
                 "time stamps go backwards once in children 32 and 120 (repaired as clock resets)",
                 "column order x y t ... differs from PaHaW's y x t ...: the reader detects it from the values",
                 "ages and handedness differ between the groups: check age before reading a score as dysgraphia"],
        source=dict(repo="alarxx/Dysgraphia-Diagnosis", commit="0fcd274d83de6290252485ea7be22e6f6ff1ab3a",
                    map=[("", "000_PrimaryDataset/")])),
}


def source_path(spec: dict, rel: str) -> str:
    if "flat" in spec:
        return spec["flat"] + Path(rel).name
    for local, remote in spec["map"]:
        if rel.startswith(local):
            return remote + rel[len(local):]
    raise SystemExit(f"no source mapping for {rel}")


def main(root: str) -> None:
    out = {}
    for name, info in DATASETS.items():
        folder = Path(root) / name
        files = []
        for line in (folder / "SHA256SUMS").read_text().splitlines():
            digest, rel = line.split(maxsplit=1)
            rel = rel.strip().lstrip("*").removeprefix("./")
            blob = (folder / rel).read_bytes()
            assert hashlib.sha256(blob).hexdigest() == digest, rel
            src = info["source"]
            url = GH.format(repo=src["repo"], commit=src["commit"], prefix=source_path(src, rel))
            files.append({"path": rel, "sha256": digest, "bytes": len(blob), "url": url})
        entry = {k: v for k, v in info.items() if k != "source"}
        entry["source_repository"] = f"{info['source']['repo']}@{info['source']['commit']}"
        entry["files"] = sorted(files, key=lambda f: f["path"])
        out[name] = entry
    target = Path(__file__).resolve().parents[1] / "lib" / "tremorlab" / "data_registry.json"
    target.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {target}: {sum(len(v['files']) for v in out.values())} files in {len(out)} datasets")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
