"""Contacts as cadres keep them: create, edit and search, and the CSV lists of their spreadsheets.

(Not handlers/contacts.py, which finds the contact and the village of an inbound message.)

    fields.py      a contact's fields checked and put in the form stored (phones as E.164, dusun, RT/RW,
                   tags, topics, consent evidence), and the cell escaping of CSV files
    records.py     reading: `get`, `search` (`Filters`), `consent_history`; row writes shared below
    edits.py       staff's changes one by one: `create`, `update`
    sheet.py       a CSV upload decoded and its columns recognised: `read_sheet`
    csv_import.py  a CSV list imported as one change: `import_csv`
    csv_export.py  the contacts as a CSV the import reads back: `export_csv`

Plain functions over a session; the boundary owns the transaction. Numbers are stored E.164
(models/phone.py) whatever form a spreadsheet left them in. Every consent change goes through
broadcasts.consent with its source ("staff" for edits, "csv_import" for an import) and its evidence:
where the resident agreed, and which staff member vouched for it.
"""
