"""A small news corpus for the ledger acceptance tests, written for these tests (fictional
figures; real countries). Each value is a seed-format article: ` date YYYY-MM-DD ` header,
wire dateline, text.

- NASAMS: one approval told by four outlets over three days: NTB (day date), Reuters (other
  wording, a hedged amount), AFP (month-only date), dpa (states it twice); Aftenposten runs
  NTB's text with two words changed (a near-duplicate: no extra report).
- MISSILES: a different approval between the same countries a week later.
- CV90: a pledge in June, reported as delivered in October.
- PATRIOT: a pause of deliveries and their resumption eight days later.
"""

from __future__ import annotations

from pathlib import Path

NTB = (" date 2025-09-02 Oslo, Sep 2 (NTB) Norway announced a new military aid package for Ukraine worth "
       "2.5 billion crowns on September 2, including two NASAMS air defence systems.\n\n"
       "The launchers will be built by Kongsberg in Norway, and the first of them should be ready for "
       "Ukrainian crews in the spring, Defence Minister Tore Sandvik told reporters at a news conference "
       "in Oslo.\n\n"
       "He said Norwegian instructors would train Ukrainian soldiers to operate and maintain the systems, "
       "and that the government would ask parliament for the money in its autumn budget.\n\n"
       "Ukraine has repeatedly asked its allies for more air defence to protect its power grid from "
       "Russian missile and drone attacks during the coming winter.\n")

CORPUS = {
    "nasams_1_ntb.txt": NTB,
    "nasams_2_aftenposten.txt": NTB.replace("(NTB)", "(Aftenposten)").replace("coming winter", "winter ahead"),
    "nasams_3_reuters.txt": (
        " date 2025-09-03 Stockholm, Sep 3 (Reuters) The Norwegian government approved two NASAMS air "
        "defence systems for Ukraine worth about 2.5 billion crowns on September 2, officials in Oslo said.\n\n"
        "Kyiv has asked its partners for more air defence before the winter.\n"),
    "nasams_4_afp.txt": (
        " date 2025-09-04 Paris, Sep 4 (AFP) Norway approved military aid worth about 2.5 billion crowns "
        "for Ukraine this month, including two NASAMS air defence systems.\n\n"
        "Ukrainian officials welcomed the decision.\n"),
    "nasams_5_dpa.txt": (
        " date 2025-09-04 Berlin, Sep 4 (dpa) Norway on September 2 approved a package of two NASAMS air "
        "defence systems for Ukraine worth 2.5 billion crowns.\n\n"
        "Ukrainian President Volodymyr Zelensky thanked Oslo for its help.\n\n"
        "Norway's government approved the NASAMS package for Ukraine, worth 2.5 billion crowns, at a "
        "cabinet meeting on September 2, the ministry said.\n"),
    "missiles_ntb.txt": (
        " date 2025-09-09 Oslo, Sep 9 (NTB) The Norwegian government approved missiles for the NASAMS "
        "systems in Ukraine worth 900 million crowns on September 9.\n"),
    "cv90_pledge.txt": (
        " date 2025-06-10 Stockholm, Jun 10 (TT) Sweden announced a military aid package for Ukraine on "
        "June 10 that includes 20 CV90 infantry fighting vehicles.\n"),
    "cv90_delivery.txt": (
        " date 2025-10-15 Stockholm, Oct 15 (TT) Sweden has delivered the 20 CV90 infantry fighting vehicles "
        "to Ukraine, the Swedish armed forces said on October 15.\n"),
    "patriot_pause.txt": (
        " date 2025-07-02 Washington, Jul 2 (AP) The United States paused deliveries of Patriot interceptors "
        "to Ukraine on July 1, the Pentagon said.\n"),
    "patriot_resume.txt": (
        " date 2025-07-10 Washington, Jul 10 (AP) The United States resumed deliveries of Patriot "
        "interceptors to Ukraine on July 9, the Pentagon said.\n"),
}

NASAMS_REPORTS = ["nasams_1_ntb.txt", "nasams_3_reuters.txt", "nasams_4_afp.txt", "nasams_5_dpa.txt"]


def write_corpus(directory: Path, names: list[str] | None = None) -> Path:
    """Write (some of) the corpus into ``directory``; returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in names or list(CORPUS):
        (directory / name).write_text(CORPUS[name], encoding="utf-8")
    return directory
