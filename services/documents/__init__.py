"""Documents: resume files in (sniffing, extraction, OCR, layout, the offline
parser in stages) and conversions between the profile and document formats
(ResumeData, JSON Resume). `extract.py` lists the extraction stages and
`offline.py` the parsing stages."""
