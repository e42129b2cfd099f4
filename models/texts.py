"""Every text a resident or official receives, in one catalogue, with the formatting they share.

Indonesian, polite, short: each template fits one GSM-7 SMS (160 characters) with realistic values;
tests/models/test_texts.py checks that. Variables are filled with str.format.
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

# --- resident replies --------------------------------------------------------------------------

MENU = (
    "{desa}: tulis masalah Anda utk melapor, atau ketik CEK kode, JADWAL, DANA, SANKSI, "
    "PROGRAM, LAYANAN, DAFTAR (info desa), BERHENTI."
)
EMPTY = "Pesan Anda kosong. Tulis masalah atau pertanyaan Anda, atau ketik MENU untuk pilihan."
OTHER = "Terima kasih atas pesannya. Untuk melapor, tulis saja masalahnya. Ketik MENU untuk pilihan lain."
# A scam (understand's scam rule) is warned about; a salam alone is answered in kind.
SCAM_WARNING = "Pesan ini mirip penipuan. Jangan kirim uang atau kode OTP. Ketik MENU utk layanan desa."
GREETING = "Waalaikumsalam. Silakan tulis masalah Anda, atau ketik MENU utk pilihan."

COMPLAINT_ASK_DETAIL = (
    "Silakan tulis aduan Anda: apa masalahnya dan di mana (dusun/RT/RW). "
    "Contoh: Lampu jalan RT 3 mati sejak Senin."
)
COMPLAINT_CREATED = (
    "Terima kasih, aduan Anda diterima dgn kode {code}. Petugas desa memeriksanya dlm 3 hari kerja. "
    "Ketik CEK {code} utk melihat status."
)
COMPLAINT_CREATED_BPD = (
    "Terima kasih, aduan Anda diterima dgn kode {code} dan diteruskan ke BPD, bukan ke kepala desa. "
    "Ketik CEK {code} utk melihat status."
)
COMPLAINT_PRIVATE_SUFFIX = " Identitas Anda dirahasiakan."
COMPLAINT_ASK_DETAIL_PRIVATE = (
    "Baik, identitas Anda akan dirahasiakan. Silakan tulis aduannya: apa masalahnya dan di mana "
    "(dusun/RT). Contoh: Lampu jalan RT 3 mati."
)
COMPLAINT_MADE_PRIVATE = "Baik, identitas Anda pada aduan {code} kini dirahasiakan dari petugas desa."
# RAHASIA alone keeps the content out of public outputs (docs/domain.md): it promises nothing about the name.
COMPLAINT_CONFIDENTIAL_SUFFIX = " Isi aduan tidak diumumkan."
COMPLAINT_ASK_DETAIL_CONFIDENTIAL = (
    "Baik, isi aduan Anda tidak akan diumumkan. Silakan tulis aduannya: apa masalahnya dan di mana "
    "(dusun/RT). Contoh: Lampu jalan RT 3 mati."
)
COMPLAINT_MADE_CONFIDENTIAL = "Baik, isi aduan {code} tidak akan diumumkan."
# A photo, voice note, video or document alone opens a complaint that waits for its description; {what}
# names it (ATTACHMENT_NAMES). A location alone too: the place is known, the problem not yet.
COMPLAINT_ATTACHMENT_ONLY = (
    "{what} diterima, kode aduan {code}. Mohon balas dgn keterangan singkat: apa masalahnya dan di mana "
    "(dusun/RT)."
)
COMPLAINT_LOCATION_ONLY = (
    "Lokasi diterima, kode aduan {code}. Apa masalahnya di tempat itu? Mohon balas dgn keterangan singkat, "
    "contoh: jalan berlubang."
)
COMPLAINT_DETAIL_ADDED = (
    "Terima kasih, keterangan ditambahkan ke aduan {code}. Ketik CEK {code} utk melihat status."
)
# More of them while the complaint still waits for its description: it goes on waiting.
COMPLAINT_ATTACHMENT_ADDED = (
    "{what} ditambahkan ke aduan {code}. Mohon balas dgn keterangan singkat: apa masalahnya dan di mana "
    "(dusun/RT)."
)
ATTACHMENT_NAMES = {
    "image": "Foto",
    "audio": "Pesan suara",
    "video": "Video",
    "document": "Dokumen",
    "other": "Lampiran",  # of several kinds, or of none known
    "location": "Lokasi",
}
# WhatsApp content with no text to read (handlers/inbound.py InboundMessage.unreadable): {what} names it.
UNREADABLE = (
    "{what} diterima, tetapi kami hanya bisa membaca teks, foto & lokasi. Tulis masalah atau pertanyaan "
    "Anda, atau ketik MENU."
)
UNREADABLE_NAMES = {"contacts": "Kartu kontak", "order": "Pesanan", "form": "Formulir"}
UNREADABLE_UNKNOWN = (
    "Jenis pesan ini belum bisa kami baca. Mohon tulis masalah atau pertanyaan Anda, atau ketik MENU utk "
    "pilihan."
)
COMPLAINT_RATE_LIMITED = (
    "Maaf, Anda sudah mengirim {n} aduan dlm 1 jam terakhir. Mohon tunggu 1 jam, atau hubungi kantor desa."
)

STATUS_OWN = "Aduan {code} ({category}): {status}.{note}"
STATUS_NOTE = " Catatan: {note}"
STATUS_OTHER = "Aduan {code}: {status}. Ketik CEK utk aduan Anda."
STATUS_UNKNOWN = (
    "Kode {code} tidak ditemukan. Periksa lagi angkanya, atau ketik CEK saja utk melihat aduan Anda."
)
STATUS_LIST = "Aduan Anda yg masih terbuka: {items}. Ketik CEK kode utk rinciannya."
STATUS_LIST_MORE = "Aduan Anda yg masih terbuka: {items}, dan {n} lainnya. Ketik CEK kode utk rinciannya."
STATUS_BAD_CODE = (
    "Kode aduan terdiri dari 6 angka, sedangkan {number} ada {digits} angka. Periksa lagi, atau ketik "
    "CEK saja utk melihat aduan Anda."
)
STATUS_NONE = "Anda tidak punya aduan yg masih terbuka. Utk melapor, tulis saja masalahnya."
NUDGE_SUFFIX = " Pesan Anda dicatat utk petugas."  # a follow-up on an open report, after its status
# CEK of a code merged into another, by one of its reporters: the surviving ticket's status.
STATUS_MERGED = "Aduan {old} digabung dgn aduan {code}: {status}.{note} Ketik CEK {code} utk rinciannya."

# {what}: ALL_TOPICS, or TOPICS_INFO and the TOPIC_NAMES joined with " & ".
SUBSCRIBED = "Anda terdaftar utk {what} {desa}. Utk berhenti, ketik BERHENTI."
ALREADY_SUBSCRIBED = "Anda sudah terdaftar utk {what} {desa}. Utk berhenti, ketik BERHENTI."
UNSUBSCRIBED = (
    "Anda tidak akan menerima pengumuman {desa} lagi. Aduan tetap bisa dikirim. "
    "Utk daftar kembali, ketik DAFTAR."
)
NOT_SUBSCRIBED = "Anda belum terdaftar utk pengumuman {desa}. Utk daftar, ketik DAFTAR."

# Information answers: a header, items, and an offer of the next part when more remain.
INFO_MORE = " Balas {keyword} {page} utk lanjutannya."
INFO_ONE = " Ketik {keyword} utk yg lain."  # after the one entry a question named
INFO_PAGE = "{keyword} {page}/{pages}: "  # opens every part after the first (the header opens the first)
INFO_NO_MORE_PAGES = "Tidak ada lanjutan. Ketik {keyword} utk bagian pertama."
JADWAL_HEADER = "Jadwal rapat desa: "
JADWAL_ITEM = "{kind} {when}, {place}"
JADWAL_EMPTY = "Belum ada jadwal rapat desa yg diumumkan. Ketik DAFTAR agar dikabari bila ada jadwal baru."
DANA_HEADER = "APBDes {year}: pendapatan {income}, belanja {spending}. "
DANA_ITEM = "{activity} ({location}) {amount}"
DANA_EMPTY = "Data APBDes belum dimasukkan. Silakan tanyakan ke kantor desa atau BPD."
KEPUTUSAN_HEADER = "Keputusan desa: "
KEPUTUSAN_ITEM = "{title} (sejak {date})"
SANKSI_ITEM = "{title} (sanksi, sejak {date})"
KEPUTUSAN_EMPTY = "Belum ada keputusan atau sanksi desa yg diumumkan."
PROGRAM_HEADER = "Program desa: "
PROGRAM_ITEM = "{name}: {summary}"
PROGRAM_EMPTY = "Belum ada program desa yg diumumkan. Ketik DAFTAR agar dikabari."
LAYANAN_HEADER = "Layanan kantor desa: "
LAYANAN_ITEM = "{name}: bawa {requirements}; {hours}; {fee}"
LAYANAN_EMPTY = "Data layanan belum dimasukkan. Silakan datang ke kantor desa pada jam kerja."

# Joined after TOPICS_INFO ("info jadwal rapat & dana desa"): "info" once, so that all five still fit.
TOPICS_INFO = "info "
TOPIC_NAMES = {
    "jadwal": "jadwal rapat",
    "dana_desa": "dana desa",
    "keputusan": "keputusan & sanksi",
    "program": "program",
    "layanan": "layanan",
}
ALL_TOPICS = "semua info"

# Ticket notices to the reporter (and everyone whose report was merged into the ticket).
TICKET_NOTE = " Catatan: {note}"
TICKET_NOTICES = {
    "diverifikasi": "Aduan {code} sudah diverifikasi petugas desa dan akan ditindaklanjuti.{note} "
    "Ketik CEK {code} utk status.",
    "diproses": "Aduan {code} sedang dikerjakan.{note} Ketik CEK {code} utk status.",
    "selesai": "Aduan {code} dinyatakan selesai.{note} Apakah sudah benar-benar beres? "
    "Balas 1 jika ya, 2 jika belum.",
    "ditolak": "Aduan {code} tidak dapat ditindaklanjuti.{note} Hubungi kantor desa bila ada pertanyaan.",
    "bukan_wewenang": "Aduan {code} bukan wewenang desa.{note} Hubungi kantor desa bila perlu bantuan.",
    "diteruskan": "Aduan {code} diteruskan ke instansi yg berwenang.{note} Ketik CEK {code} utk status.",
}
TICKET_MERGED = "Aduan {old} digabung dgn aduan {code} (masalah yg sama). Ketik CEK {code} utk status."
TICKET_CONFIRMED = "Terima kasih atas konfirmasinya. Aduan {code} ditutup."
TICKET_REOPENED = (
    "Terima kasih. Aduan {code} dibuka kembali dan akan ditindaklanjuti lagi. Ketik CEK {code} utk status."
)
# To the other reporters of a ticket (merged reports) when one of them says it is not fixed yet.
TICKET_REOPENED_BY_OTHER = (
    "Aduan {code} dibuka kembali: pelapor lain menyatakan masalahnya belum beres. Petugas desa akan "
    "menindaklanjutinya. Ketik CEK {code} utk status."
)
TICKET_CONFIRM_AGAIN = "Mohon balas 1 jika aduan {code} sudah beres, atau 2 jika belum."
TICKET_ESCALATED = "Aduan {code} ({category}, {where}) lewat batas waktu {stage}. Mohon ditindaklanjuti."

# Digests for the head and the BPD chair.
DIGEST_SMS = (
    "Ringkasan {who} {desa}: {new} aduan baru, {open} terbuka, {overdue} lewat batas, {resolved} selesai."
)
DIGEST_QUIET = "Ringkasan {who} {desa}: tidak ada aduan, rapat, atau pengumuman baru. Terima kasih."
# The same for the operator (the whole village, complaints about the head included): no role in the title.
DIGEST_SMS_VILLAGE = (
    "Ringkasan {desa}: {new} aduan baru, {open} terbuka, {overdue} lewat batas, {resolved} selesai."
)
DIGEST_QUIET_VILLAGE = "Ringkasan {desa}: tidak ada aduan, rapat, atau pengumuman baru. Terima kasih."

# Meetings (broadcast kind `musdes`): {acara} is the meeting's title, {kapan} its day and time.
MEETING_ANNOUNCE = "Undangan {acara}: {kapan} di {tempat}. Agenda: {agenda}. Mohon hadir."
MEETING_ANNOUNCE_NO_AGENDA = "Undangan {acara}: {kapan} di {tempat}. Mohon hadir."
MEETING_AGENDA_MORE = "{agenda} dll"  # an agenda cut to fit the invitation's SMS
MEETING_REMINDER = "Pengingat {acara}: {kapan} di {tempat}. Mohon hadir tepat waktu."
MEETING_MOVED = "Perubahan jadwal: {acara} dipindah ke {kapan} di {tempat}. Mohon maaf atas perubahan ini."
MEETING_CANCELLED = "{acara} yg dijadwalkan {kapan} DIBATALKAN. Jadwal baru akan diumumkan. Mohon maaf."

# --- formatting ------------------------------------------------------------------------------

MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_name(timezone: str) -> str:
    """WIB, WITA or WIT for an Indonesian zone; the zone name otherwise."""
    return ZONE_NAMES.get(timezone, timezone)


def format_when(moment: datetime, timezone: str) -> str:
    """A meeting time as residents read it: 'Sabtu 12 Des 19.00 WIB'."""
    local = moment.astimezone(ZoneInfo(timezone))
    return (
        f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} "
        f"{local.hour:02d}.{local.minute:02d} {zone_name(timezone)}"
    )


def format_date(day: datetime | object) -> str:
    """A date as '5 Jan 2027'."""
    d = day.date() if isinstance(day, datetime) else day
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"  # type: ignore[attr-defined]


def _decimal(amount: int, unit: int, places: int) -> str:
    """amount / unit rounded half up (as people round, not as binary floats do), Indonesian comma."""
    value = (Decimal(amount) / unit).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{value:f}".rstrip("0").rstrip(".") if places else f"{value:f}"
    return text.replace(".", ",")


def format_rupiah(amount: int) -> str:
    """Rupiah the Indonesian way: Rp1,25 miliar; Rp250 juta; Rp12.500.000."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount >= 1_000_000_000:
        return f"{sign}Rp{_decimal(amount, 1_000_000_000, 2)} miliar"
    if amount >= 100_000_000:
        return f"{sign}Rp{_decimal(amount, 1_000_000, 1)} juta"
    return f"{sign}Rp{amount:,}".replace(",", ".")


def format_rupiah_list(amounts: list[int]) -> list[str]:
    """Amounts that are read together (one list), all in one style.

    In words (Rp1,25 miliar; Rp75 juta; Rp12,5 juta) when every amount is at least a million and
    words say it exactly (at most two decimals); otherwise all in full digits (Rp12.345.678), so that
    one list never mixes "Rp250 juta" with "Rp75.000.000" nor rounds one line and not the next.
    """

    def in_words(amount: int) -> bool:
        if amount >= 1_000_000_000:
            return amount % 10_000_000 == 0
        return amount >= 1_000_000 and amount % 10_000 == 0

    if amounts and all(in_words(abs(a)) for a in amounts):
        return [_in_words(a) for a in amounts]
    return [f"{'-' if a < 0 else ''}Rp{abs(a):,}".replace(",", ".") for a in amounts]


def _in_words(amount: int) -> str:
    """An amount of a million or more in words, exactly (see format_rupiah_list)."""
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount >= 1_000_000_000:
        return f"{sign}Rp{_decimal(amount, 1_000_000_000, 2)} miliar"
    return f"{sign}Rp{_decimal(amount, 1_000_000, 2)} juta"


# --- staff by text message (handlers/staff_commands/) --------------------------------------------
# Replies to registered staff numbers. Their variables differ from the residents' templates above, so
# they live in their own namespace (StaffText, and the STAFF_ tables after it);
# tests/handlers/test_staff_commands.py checks that each fits one GSM-7 SMS with realistic values.


class StaffText:
    """What staff read when they work by SMS or WhatsApp: short, polite, and saying what to do next."""

    # The menu is put together from the parts the staff member's role may use.
    # {command}: a command the role may use, whose example "STAF {command}" gives.
    MENU = "Staf: {commands}. Ketik STAF {command} dll utk contoh."
    NOT_ALLOWED = "Maaf, {role} tidak berwenang utk {what}. Ketik STAF utk perintah yg bisa Anda pakai."

    PIN_MISSING = "Perintah ini perlu PIN (4-6 angka). Contoh: {example}"
    PIN_WRONG = "PIN salah. Sisa {left} kali coba; setelah itu PIN dikunci 30 menit. Kirim ulang perintahnya."
    PIN_LOCKED = "PIN terkunci krn salah 5 kali. Coba lagi setelah {until}, atau hubungi operator desa."
    PIN_NOT_SET = "PIN Anda belum diatur. Minta operator desa mengatur PIN, lalu kirim ulang perintahnya."

    CODE_MISSING = (
        "Kode aduan (6 angka) belum ditulis. Contoh: {verb} 482913 1234 catatan. Ketik TIKET utk daftar."
    )
    REASON_MISSING = "Tulis alasan penolakan utk pelapor. Contoh: TOLAK {code} 1234 bukan wilayah desa"
    FORWARD_MISSING = (
        "Tulis ke instansi mana aduan diteruskan, utk pelapor. Contoh: TERUSKAN {code} 1234 ke Dinas PU"
    )
    NOT_OURS_MISSING = (
        "Tulis alasan utk pelapor. Contoh: BUKAN {code} 1234 jalan provinsi, urusan Dinas PU provinsi"
    )
    TICKET_UNKNOWN = (
        "Kode {code} tidak ditemukan. Periksa lagi angkanya, atau ketik TIKET utk daftar aduan terbuka."
    )
    TICKET_NOT_YOURS = "Aduan {code} bukan wewenang {role}: BPD hanya menangani aduan tentang kepala desa."
    TICKET_UNCHANGED = (  # {status}: STAFF_STATUS_NAMES
        "Aduan {code} sudah berstatus {status}, jadi tidak diubah. Ketik TIKET utk daftar aduan terbuka."
    )
    TICKET_CHANGED = "Aduan {code} kini {status}. Pelapor sudah diberi kabar."
    TICKET_CHANGED_UNTOLD = (
        "Aduan {code} kini {status}. Pelapor blm bisa dikabari: tdk ada saluran aktif ke nomornya."
    )

    LIST_OPEN = "Aduan terbuka ({n})"
    LIST_OVERDUE = "Aduan lewat batas ({n})"
    LIST_PAGE = " hal {page}/{pages}: "
    LIST_ITEM = "{code} {category} {status}"
    LIST_MORE = ". Balas {keyword} {page} utk lanjutannya."
    LIST_END = "."
    LIST_EMPTY = "Tidak ada aduan terbuka saat ini. Terima kasih."
    LIST_EMPTY_OVERDUE = "Tidak ada aduan yg lewat batas waktu. Terima kasih."
    LIST_NO_PAGE = "Tidak ada halaman {page}. Ketik {keyword} utk halaman pertama."

    # LIHAT: one complaint in one SMS, the complaint's own words cut to what room is left. Never who
    # reported it: a reply on a phone can be forwarded.
    LOOKUP = "Aduan {code}: {category}, {status}, {where}.{due} Isi: {text}"
    LOOKUP_NO_PLACE = "lokasi belum disebut"
    LOOKUP_DUE = " Batas {stage} {date}."
    LOOKUP_LATE = " Lewat batas {stage} {date}!"
    LOOKUP_PHOTO_ONLY = "(hanya foto)"
    LOOKUP_NO_TEXT = "(tanpa isi)"

    BROADCAST_NO_TEXT = (
        "Tulis teks siaran setelah PIN. Contoh: SIARAN 1234 Kerja bakti Minggu 07.00 di balai desa."
    )
    BROADCAST_NOBODY = "Belum ada warga yg terdaftar menerima siaran, jadi tidak ada yg bisa dikirimi."
    BROADCAST_CONFIRM = (
        "Siaran ke {n} pelanggan, {segments} SMS per orang (maks {cost}). Balas YA dlm 15 menit utk kirim, "
        "atau BATAL."
    )
    BROADCAST_LEFT_OUT_SUFFIX = " {n} pelanggan WA tdk terjangkau."
    BROADCAST_NONE_REACHABLE = (
        "{n} warga terdaftar, tapi tdk ada yg bisa dikirimi lewat saluran desa saat ini. Hubungi operator."
    )
    QUIET_SUFFIX = " Krn jam tenang, dikirim {kapan}."
    BROADCAST_QUEUED = "Siaran utk {n} pelanggan disimpan dan dikirim dlm 1 menit. Terima kasih."
    BROADCAST_HELD = "Siaran disimpan utk {n} pelanggan. Krn jam tenang, dikirim {kapan}."
    BROADCAST_APPROVAL = "Siaran disimpan dan menunggu persetujuan kader lain atau Kades sebelum dikirim."

    MEETING_WHEN = "Tanggal/jam rapat tidak terbaca. Contoh: 12/12 19.30, besok jam 7 malam, senin 09.00."
    MEETING_PAST = "Waktu rapat {kapan} sudah lewat. Periksa lagi tanggal dan jamnya."
    MEETING_BEFORE_QUIET_END = (
        "Rapat {kapan} mulai sebelum jam tenang selesai ({until}), jadi undangannya terlambat. "
        "Pilih jam lain, atau umumkan lewat DARURAT."
    )
    MEETING_TOO_FAR = (
        "Tanggal rapat {kapan} lebih dari 1 tahun lagi. Rapat bisa diumumkan paling jauh 1 tahun ke depan. "
        "Periksa lagi tanggal dan tahunnya."
    )
    MEETING_CONFIRM = (
        "{acara}, {kapan}, {tempat}. Undangan ke {n} warga + {reminders} pengingat. "
        "Balas YA (15 menit) atau BATAL."
    )
    MEETING_CREATED = "{acara} {kapan} dicatat. Undangan dikirim dlm 1 menit, lalu {reminders} pengingat."
    # Created in quiet hours (or a blackout): {kirim} is when the invitation goes.
    MEETING_HELD = (
        "{acara} {kapan} dicatat. Krn jam tenang, undangan dikirim {kirim}, lalu {reminders} pengingat."
    )
    MEETING_APPROVAL = "{acara} {kapan} dicatat. Undangannya menunggu persetujuan kader lain atau Kades."
    # RAPAT alone: the meetings ahead ({daftar}: "no. acara tgl/bln jam" joined by "; "), as many as one
    # SMS holds.
    MEETINGS_AHEAD = "Rapat: {daftar}. Ubah: RAPAT PINDAH/BATAL no PIN."
    MEETINGS_NONE = "Belum ada rapat yg dijadwalkan. Umumkan: RAPAT PIN tgl jam tempat acara."
    MEETING_UNKNOWN = "Rapat no {no} tidak ada atau sudah lewat/batal. Kirim RAPAT utk daftar rapat."
    MEETING_MOVE_CONFIRM = "Pindah {acara} {dari} ke {kapan}? {told} warga diberi tahu. Balas YA atau BATAL."
    MEETING_CANCEL_CONFIRM = (
        "Batalkan {acara} {kapan}? {told} warga yg sdh diundang diberi tahu. Balas YA (15 menit) atau BATAL."
    )
    MEETING_MOVE_DONE = "{acara} dipindah ke {kapan}. Pemberitahuan & undangan baru dikirim dlm 1 menit."
    MEETING_CANCEL_DONE = "{acara} {kapan} dibatalkan. Warga yg sdh diundang diberi tahu dlm 1 menit."

    CONFIRM_NOTHING = (
        "Tidak ada perintah yg menunggu YA, atau waktunya (15 menit) habis. Kirim ulang perintahnya."
    )
    CANCELLED = "Dibatalkan, tidak ada yg dikirim."
    CANCEL_NOTHING = "Tidak ada perintah yg menunggu YA, jadi tidak ada yg dikirim atau dibatalkan."

    CONFIRM_UNCLEAR = (
        "Belum dikirim, masih menunggu. Balas YA utk kirim atau BATAL utk batal, lalu kirim ulang pesan "
        "lainnya."
    )


STAFF_ROLE_NAMES = {
    "operator": "Operator",
    "kader": "Kader",
    "kades": "Kades",
    "bpd": "BPD",
}
STAFF_MENU_PARTS = {
    "list": "TIKET, TELAT, LIHAT kode",
    "digest": "RINGKASAN",
    "ticket": "VERIF/PROSES/SELESAI/TOLAK/TERUSKAN/BUKAN kode PIN",
    "broadcast": "RAPAT/SIARAN/DARURAT PIN",  # the fullest menu must stay one SMS
}
STAFF_USAGE = {
    "ticket": "Format: {verb} kode PIN catatan. Contoh: {verb} 482913 1234 sudah dicek. "
    "Kode aduan 6 angka, PIN 4-6 angka. TOLAK, TERUSKAN, BUKAN: catatan wajib.",
    "list": "TIKET: aduan terbuka. TELAT: aduan lewat batas waktu. Balas TIKET 2 utk halaman 2. "
    "LIHAT kode (atau TIKET kode): isi 1 aduan. Tanpa PIN.",
    "lookup": "LIHAT kode: isi, status, lokasi & batas waktu 1 aduan. Contoh: LIHAT 482913 (atau TIKET "
    "482913). Tanpa PIN.",
    "digest": "RINGKASAN: ringkasan aduan, rapat & siaran 24 jam terakhir (Kades/BPD). Tanpa PIN.",
    "meeting": "Format: RAPAT PIN tgl jam tempat acara. Contoh: RAPAT 1234 12/12 19.30 Balai Desa "
    "Musdes RKPDes. Tgl: 12/12, besok, senin. Jam: 19.30, jam 7 malam.",
    "meeting_change": "Format: RAPAT PINDAH no PIN tgl jam, atau RAPAT BATAL no PIN. Contoh: RAPAT PINDAH "
    "3 1234 14/12 19.30. Nomor rapat: kirim RAPAT.",
    "broadcast": "Format: SIARAN PIN teks. Contoh: SIARAN 1234 Kerja bakti Minggu 07.00 di balai desa. "
    "Anda diminta balas YA sebelum dikirim.",
    "emergency": "Format: DARURAT PIN teks. Dikirim segera, juga malam hari. Contoh: DARURAT 1234 "
    "Banjir di Krajan, warga harap mengungsi ke balai desa.",
}
STAFF_WHAT = {
    "ticket": "mengubah aduan",
    "list": "melihat aduan",
    "lookup": "melihat aduan",
    "digest": "meminta ringkasan",
    "meeting": "mengumumkan rapat",
    "broadcast": "mengirim siaran",
}
STAFF_CATEGORY_SHORT = {
    "infrastruktur": "Infra",
    "air_sanitasi": "Air",
    "kesehatan": "Sehat",
    "pendidikan": "Didik",
    "ekonomi": "Ekonomi",
    "lingkungan": "Lingkungan",
    "bencana": "Bencana",
    "bansos": "Bansos",
    "administrasi": "Adm",
    "tata_kelola": "Tatakelola",
    "keamanan": "Aman",
    "lainnya": "Lain",
}
STAFF_STATUS_SHORT = {
    "baru": "baru",
    "diverifikasi": "verif",
    "diproses": "proses",
}
STAFF_STATUS_NAMES = {  # LIHAT: every status, as staff call them
    "baru": "baru",
    "diverifikasi": "diverifikasi",
    "diproses": "diproses",
    "selesai": "selesai",
    "ditolak": "ditolak",
    "bukan_wewenang": "bukan wewenang desa",
    "duplikat": "digabung",
    "diteruskan": "diteruskan",
}
STAFF_DUE_STAGES = {"verify": "verifikasi", "act": "penanganan"}  # LIHAT: which deadline


# --- announcements: decisions and sanctions, the village budget ------------------------------------
# Composed by broadcasts/announcements.py; the SMS forms are fitted to one GSM-7 SMS there, with the
# record's own words (tests/broadcasts check it), the WhatsApp forms may run longer.


class AnnouncementText:
    """What residents read when a decision, a sanction or the APBDes is announced."""

    # A `keputusan` broadcast.

    DECISION_SMS = "{label} {desa}: {judul}. Berlaku {sejak} {tanggal}."
    DECISION_DETAIL = " {isi}"
    DECISION_MORE = " Info: ketik {keyword}."
    DECISION_WHATSAPP = (
        "*{label} {desa}*\n{judul}.\nBerlaku {sejak} {tanggal}.{isi}\n\nInfo: ketik {keyword}."
    )
    SINCE, FROM = "sejak", "mulai"  # in force already / from a date still ahead

    # A `dana_desa` broadcast.
    # "APBDes" rather than "Dana Desa": some SMS routes filter the word "dana" (docs/providers.md).

    BUDGET_SMS = "APBDes {tahun} {desa}: pendapatan {pendapatan}, belanja {belanja}{realisasi}."
    BUDGET_REALISED = ", realisasi {jumlah} ({persen}%)"
    BUDGET_ITEMS = " Antara lain: {items}."
    BUDGET_MORE = " Rincian: ketik APBDES."
    BUDGET_WHATSAPP_HEAD = "*APBDes {tahun} {desa}*\nPendapatan: {pendapatan}\nBelanja: {belanja}{realisasi}"
    BUDGET_WHATSAPP_INCOME = "\n\n*Pendapatan*"
    BUDGET_WHATSAPP_INCOME_ITEM = "\n- {kegiatan}{sumber}: {jumlah}"
    BUDGET_WHATSAPP_FIELD = "\n\n*Bidang {bidang}: {nama}*"
    BUDGET_WHATSAPP_SPENDING_ITEM = "\n- {kegiatan} ({lokasi}): {jumlah}{realisasi}"
    BUDGET_WHATSAPP_ITEM_REALISED = ", realisasi {jumlah}"
    BUDGET_WHATSAPP_MORE = "\n\nRincian: ketik APBDES."
    BUDGET_WHATSAPP_CUT = "\n- ... dan {n} baris lain"
    OTHER_FIELD = "Belanja lainnya"


DECISION_LABELS = {"keputusan": "Keputusan", "sanksi": "Sanksi"}  # by DecisionKind value
DECISION_KEYWORDS = {"keputusan": "KEPUTUSAN", "sanksi": "SANKSI"}
BUDGET_FIELDS = {  # the bidang of Permendagri 20/2018
    1: "Pemerintahan desa",
    2: "Pembangunan desa",
    3: "Pembinaan kemasyarakatan",
    4: "Pemberdayaan masyarakat",
    5: "Bencana & keadaan darurat",
}
