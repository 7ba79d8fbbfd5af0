from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


def read(name: str) -> bytes:
    return (CORPUS / name).read_bytes()
