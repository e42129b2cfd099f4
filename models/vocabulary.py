"""The stable vocabulary (docs/domain.md): intents, complaint categories, information topics, roles.

Codes are stable (tests, the API and operators rely on them); Indonesian labels are for people.
"""

from enum import StrEnum


class Intent(StrEnum):
    """What a resident's message asks for."""

    COMPLAINT = "complaint"
    STATUS = "status"
    INFO = "info"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    HELP = "help"
    OTHER = "other"


class Category(StrEnum):
    """Complaint categories (docs/domain.md)."""

    INFRASTRUKTUR = "infrastruktur"
    AIR_SANITASI = "air_sanitasi"
    KESEHATAN = "kesehatan"
    PENDIDIKAN = "pendidikan"
    EKONOMI = "ekonomi"
    LINGKUNGAN = "lingkungan"
    BENCANA = "bencana"
    BANSOS = "bansos"
    ADMINISTRASI = "administrasi"
    TATA_KELOLA = "tata_kelola"
    KEAMANAN = "keamanan"
    LAINNYA = "lainnya"

    @property
    def label(self) -> str:
        """The Indonesian label shown to people."""
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.INFRASTRUKTUR: "Infrastruktur",
    Category.AIR_SANITASI: "Air bersih & sanitasi",
    Category.KESEHATAN: "Kesehatan",
    Category.PENDIDIKAN: "Pendidikan & kebudayaan",
    Category.EKONOMI: "Ekonomi produktif",
    Category.LINGKUNGAN: "Lingkungan hidup",
    Category.BENCANA: "Bencana",
    Category.BANSOS: "Bantuan sosial",
    Category.ADMINISTRASI: "Administrasi & layanan",
    Category.TATA_KELOLA: "Tata kelola desa",
    Category.KEAMANAN: "Keamanan & ketertiban",
    Category.LAINNYA: "Lainnya",
}


class Topic(StrEnum):
    """Information topics a resident can ask about."""

    JADWAL = "jadwal"
    DANA_DESA = "dana_desa"
    KEPUTUSAN = "keputusan"
    PROGRAM = "program"
    LAYANAN = "layanan"


class Role(StrEnum):
    """Staff roles, per village (operator: the whole deployment)."""

    OPERATOR = "operator"
    KADER = "kader"
    KADES = "kades"
    BPD = "bpd"

    @property
    def sees_about_head(self) -> bool:
        """Complaints about the village head exist only for the BPD and the operator (UU 6/2014 Pasal 55:
        the BPD supervises the head), in every output."""
        return self in (Role.BPD, Role.OPERATOR)


class BroadcastKind(StrEnum):
    """Kinds of broadcast; `darurat` skips quiet hours and goes first."""

    MUSDES = "musdes"
    KEPUTUSAN = "keputusan"
    DANA_DESA = "dana_desa"
    UMUM = "umum"
    DARURAT = "darurat"
