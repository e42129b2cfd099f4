"""The lexicons of understanding (data): which words, with which weight, are evidence for an intent, an
information topic or a complaint category, and the order of that evidence in a score vector.

Entries are "word:weight" (default 1); "a_b" is a phrase of consecutive tokens. Words are written after
normalisation (abbreviations expanded), and each single word also matches with the possessive/definite
suffixes -nya (Indonesian), -e/-ne (Javanese) and -na (Sundanese). `handlers.words` compiles them once
at import.
"""

from models.vocabulary import Category, Topic

_TOPIC_ORDER = (Topic.JADWAL, Topic.DANA_DESA, Topic.KEPUTUSAN, Topic.PROGRAM, Topic.LAYANAN)
_CATEGORY_ORDER = (
    Category.BENCANA,
    Category.BANSOS,
    Category.TATA_KELOLA,
    Category.AIR_SANITASI,
    Category.KESEHATAN,
    Category.PENDIDIKAN,
    Category.EKONOMI,
    Category.LINGKUNGAN,
    Category.KEAMANAN,
    Category.ADMINISTRASI,
    Category.INFRASTRUKTUR,
    Category.LAINNYA,
)

(
    _COMPLAINT,  # something is wrong: problem words, complaint verbs
    _STATUS,  # asks about an earlier report
    _QUESTION,  # asks something
    _SUBSCRIBE,
    _UNSUBSCRIBE,
    _HELP,
    _SOCIAL,  # thanks, greetings, chit-chat
    _SCAM,  # prize, loan and phishing spam
    _HEAD,  # mentions the village head
    _MISCONDUCT,  # misconduct, absence, nepotism, misuse of funds
    _OFFICIAL,  # any village official, the head included
    # Words that ask for help, subscribe or unsubscribe only in a message about nothing else ("caranya
    # gimana?", "daftar", "keluar"), not in one about something else ("cara daftar kursus", "pak RT keluar
    # kota terus"): they count only when the message names no other subject (see handlers/decide.py).
    _HELP_WEAK,
    _SUBSCRIBE_WEAK,
    _UNSUBSCRIBE_WEAK,
) = range(14)
_TOPIC0 = 14
_CAT0 = _TOPIC0 + len(_TOPIC_ORDER)
_NF = _CAT0 + len(_CATEGORY_ORDER)
_CAT_TATA_KELOLA = _CAT0 + _CATEGORY_ORDER.index(Category.TATA_KELOLA)
_CAT_ADMINISTRASI = _CAT0 + _CATEGORY_ORDER.index(Category.ADMINISTRASI)

_INTENT_LEXICON: dict[int, str] = {
    _COMPLAINT: """
        rusak:3 kerusakan:3 rusak_parah:1 ruksak:3 awon:1.5 jebol:3 bocor:3 mampet:3 tersumbat:3 buntu:2
        macet:2 mati:2.5 padam:2.5 tidak_nyala:3 tidak_menyala:3 berlubang:3 lubang:1.5 retak:2.5
        ambruk:3 roboh:3 runtuh:3 miring:2 copot:2 patah:2.5 putus:1.5 hilang:2 kehilangan:2.5
        dicuri:3 dicolong:3 banjir:3 kebanjiran:3 longsor:3 kebakaran:3 terbakar:3 tumbang:3 meluap:2.5
        gempa:2.5 lini:1.5 puting_beliung:3 angin_ribut:3 kotor:2 bau:2 busuk:2.5 keruh:3 buthek:3
        tidak_ngalir:3 tidak_mengalir:3 teu_ngocor:3 ora_ngalir:3 ora_mili:3 kering:1.5 numpuk:2
        menumpuk:2 penuh:1.5 meluber:3 tidak_diangkut:2.5 dipotong:3 potongan:2 dipungut:3 pungutan:2.5
        pungli:4 diminta_uang:3 dimintai_uang:3 minta_uang:2.5 dimintai:2.5 dimintain:2.5 disuruh_bayar:3
        kok_bayar:2 katanya_gratis:2.5 uang_rokok:2 uang_lelah:2 mahal:2 keberatan:3 lambat:2.5 lelet:2.5
        tidak_jadi_jadi:3 belum_jadi:3 tidak_diproses:3 belum_diproses:2.5 dipersulit:3.5
        tidak_ada_kabar:1.5 tidak_ada_tanggapan:1.5 tidak_dapat:2.5 belum_dapat:2.5 tidak_kebagian:2.5
        tidak_merata:3 tidak_adil:3 pilih_kasih:3 salah_sasaran:3.5 tidak_tepat_sasaran:3 belum_cair:3
        tidak_cair:3 belum_nerima:2.5 belum_menerima:2.5 belum_terima:2.5 tidak_dibayar:3 belum_dibayar:3
        tidak_ada:1.5 belum_ada:1.5 tidak_pernah:1.5 teu_pernah:1.5 tidak_bisa:1.5 tidak_buka:2.5
        tutup:1.5 tutup_terus:1.5 tidak_jalan:2 ora_mlaku:2 jarang:1.5 telat:1.5 terlambat:1.5 susah:1.5
        sulit:1.5 kesulitan:2 tidak_layak:2.5 jelek:2 asal_asalan:2.5 kadaluarsa:3 kedaluwarsa:3
        kadaluwarsa:3 berkutu:3 apek:2 basi:2.5 kurus:1.5 sakit:1.5 kena:1 dbd:3 diare:3 demam:2
        gizi_buruk:3 stunting:2.5 wabah:3 jentik:2 kekurangan:2.5 kurang:1.5 habis:1.5 langka:3 kosong:1.5
        terbengkalai:3 mangkrak:3 tidak_diperbaiki:3 belum_diperbaiki:3 diperbaiki:1.5 perbaiki:1.5
        tidak_dirawat:2.5 tidak_terawat:2.5 sudah_diperbaiki:-3 mohon_perhatian:1.5 perhatian:0.5
        ditindak:2 dicek:1 ditinjau:1.5 ditinjau_ulang:1.5 dimediasi:2 mohon_bantuan:1.5 butuh:1.5
        bahaya:2.5 berbahaya:2.5 membahayakan:2.5 takut:1.5 resah:2.5 meresahkan:3 mengganggu:2.5
        ganggu:2 gelap:2 becek:2.5 blethok:2 licin:2 korban:2 maling:3 mabuk:2 mabukan:1 narkoba:3
        judi:2.5 tawuran:3 berisik:2.5 bising:2.5 pencemaran:3 limbah:2.5 polusi:2.5 buang_sampah:2
        bakar_sampah:2.5 penebangan:2.5 nebang:2 liar:2 ilegal:2.5 illegal:2.5 dugaan:2 diduga:2
        korupsi:3 nepotisme:3 tidak_transparan:3 kemana:1.5 kemana_sisanya:2 sisanya:1.5 kok:1.5
        kenapa:1 padahal:1.5 malah:1.5 cuma:1 dikunci:1.5 lapor:3 melapor:3 melaporkan:3 laporkan:2
        ngadu:3 mengadu:3 ngadukeun:3 wadul:3 mengeluh:3 mengeluhkan:3 keluhan:3 komplain:3 protes:3
        aduan:2 pengaduan:1.5 kecewa:2.5 menyampaikan:1 mohon:0.5 tolong:0.5 segera:1 darurat:2
        waspada:2 ora_iso:1.5 ora_ono:2 ora_ana:2 durung:1 teu_aya:1.5 teu_tiasa:1.5 mboten:1 dereng:1
        marah:2 membentak:2.5 bentak:2.5 kasar:2 jutek:2.5 judes:2.5 tidak_ramah:2.5 tidak_masuk:1.5
        putus_sekolah:2.5 bubar:2 tidak_aktif:2 tidak_berfungsi:3 tidak_layak_huni:-2 tanpa_alasan:2.5
        dihapus:2 ditahan:2.5 ditolak:2.5 dibuang:1.5 diancam:2.5 ancam:2 memaksa:2.5 medeni:1.5
        seadanya:1.5 ngungsi:2 mengungsi:2 tertutup:1.5 tidak_bisa_lewat:2 tidak_bisa_dilewati:2
        dilewati:0.5 tertimpa:2 nimpa:2 kurang_gizi:3 keracunan:3 tidak_datang:2 mangkir:2.5 bolos:2.5
        absen:1.5 tidak_ngantor:3 dijual:1 menjual:1 dipakai_pribadi:3 diselewengkan:3 penyelewengan:3
        menyalahgunakan:3 disalahgunakan:3 anjlok:2.5 merugikan:2.5 rugi:2 dirugikan:2.5 tebang:1.5
        mencemari:2.5 tercemar:2.5 berkurang:1 tidak_sesuai:2 asal_jadi:2.5 tanpa_kwitansi:2
        tanpa_musdes:2 tanpa_musyawarah:2 semena_mena:3 sewenang_wenang:3 curang:3 kecurangan:3
        diskriminasi:3 cekcok:2 sengketa:2 berantem:3 berkelahi:3 keributan:2.5 ribut:1.5 onar:2.5
        balap_liar:2 mencuri:3 pencurian:3 begal:3 rawan:2 tidak_aman:2.5 teu_kiat:1.5 kiat:0
        sesak:1.5 sesek:1.5 mual:1.5 batuk:1 pusing:1 gatal:1.5 menderita:2 kasihan:1.5 terlantar:2.5
        tidak_diurus:2.5 terbuang:1.5 percuma:1.5 dibongkar:1.5 bongkar:1 ditebang:2 tidak_digaji:3
        belum_digaji:3 honor_belum:2 terancam:2 kebocoran:3 tidak_kondusif:2 ditindaklanjuti:0
        seenaknya:2.5 seenak:1.5 pungut:2 biaya:0.5 bayar:0.5 tidak_direalisasikan:3 tidak_terealisasi:3
        belum_direalisasikan:3 janji:1 ingkar:2.5 tidak_pernah_datang:1 tidak_ada_yang:1
        nunggak:1 menunggak:1 tidak_ditanggapi:2.5 diabaikan:2.5 dicuekin:2.5 cuek:2 tidak_peduli:2.5
        tidak_dihiraukan:2.5 tidak_digubris:2.5 dibiarkan:2 tidak_ditangani:2.5 belum_ditangani:2.5
        tidak_pernah_dapat:1 bermasalah:2.5 masalah:1.5 problem:1.5 kendala:1.5 keluh:2
        nyetrum:2 setrum:1.5 potas:2 gundul:2 kumuh:2 genangan:1.5 tergenang:2 amblas:2.5 ambles:2.5
        nyebar:1 menyebar:1 tersebar:0.5 merajalela:2.5 marak:2 sering:0.5 selalu:0.5 kebanyakan:0.5
        belum_punya:2 tidak_punya:2 diminta_bayar:2.5 dulu_gratis:1.5 dimintai_biaya:3 diminta_biaya:3
        minta_setoran:3 tidak_tahu:1 dipakai_apa:1.5 tidak_surut:2 ditertibkan:2 tertibkan:2 malu:1.5
        memalukan:2 malu_maluin:1 ngaduruk:2 ngabakar:2 dibakar:1.5 membakar:1.5 dikasih_ke:1 cuma_dikasih:1.5
        cuma_buat:1 hanya_untuk:1 cuma_untuk:1 orang_dalam:2 kenalan:1 panik:2 air_naik:1 naik_terus:1
        belum_pernah:1 belum_pernah_dapat:1.5 ora_tau:1.5
        ora_pernah:1.5 penjambretan:3 dijambret:3 jambret:3 pencopetan:3 dicopet:3 dibegal:3 pembegalan:3
        dirampok:3 perampokan:3 terisolir:2 terisolasi:2 tidak_pernah_dipasang:1 tidak_jelas:2 gerus:1.5
        longsoran:2
        dicoret:2.5 tercoret:2.5 ditarik:2 dikurangi:2 dipangkas:2.5 disunat:2 dikorbankan:2.5
        uang_terima_kasih:2.5 uang_pelicin:3 pelicin:2.5 raib:2.5 ical:1.5 ilang:2 kecolongan:3 dibobol:3
        disatroni:3 dijarah:3 digasak:3 ngancam:2.5 mengancam:2.5 ancaman:2 teror:2.5 diteror:2.5
        mencurigakan:2 ambrol:3 bolong:2.5 lobang:2 growong:2 bubrah:3 jugrug:3 rugrug:3 hancur:2.5 ancur:2.5
        remuk:2.5 buntet:2.5 peteng:2 poek:2 caah:3 byarpet:3 pemadaman:2.5 mati_lampu:2 tidak_terurus:2.5
        ora_kopen:2.5 mati_mendadak:2 kelamaan:2 berbelit:2.5 ribet:2 dipingpong:3 ditipu:2 penipuan:2
        dirobohkan:2 dirobohin:2 dirusak:2.5 perusakan:2.5 diserobot:2.5 penyerobotan:2.5 pemborosan:2.5
        tidak_pantas:2 tidak_dilibatkan:2.5 tidak_diundang:2 terendam:2.5 tenggelam:1.5 pasung:2 dipasung:2.5
        belum_terima_kasih:-2.5 memotong:2.5 motong:2
        error:3 eror:3 erorr:3 bug:2 gagal:2 gangguan:1.5 tidak_berguna:3 tidak_bermanfaat:3 mempersulit:3
        menyusahkan:2.5 merepotkan:2 ruwet:2 mengecewakan:3 parah:2 payah:2 buruk:2 tidak_profesional:2.5
        pemerasan:3 tidak_masuk_akal:2 kacau:2 tidak_ada_kepastian:3 tidak_ada_kejelasan:3
        belum_ada_kejelasan:2.5
        tidak_jelas_kapan:2 belum_selesai:3 tidak_selesai:3 tidak_kunjung:2.5 tak_kunjung:2.5
        belum_juga:2 sampai_sekarang_belum:1.5 hingga_sekarang_belum:1.5 sampai_saat_ini:1
        hingga_saat_ini:1 berbulan:2 bertahun:2 berminggu:2 berhari:1.5 bolak_balik:2 berkali_kali:1.5
        terlalu_lama:2.5 lama_sekali:2 tidak_dilayani:3 belum_dilayani:2.5 tidak_bisa_login:3
        tidak_ada_respon:2
        tidak_ada_respons:2 tidak_direspon:2.5 belum_direspon:2.5 mohon_ditindaklanjuti:3
        harap_ditindaklanjuti:3
        segera_ditindaklanjuti:3 tolong_ditindaklanjuti:3 mohon_ditindak:2 mohon_diperbaiki:2
        mohon_perbaikan:2
        perbaikan:1 mohon_dinyalakan:2 mohon_dibersihkan:2 mohon_diangkut:2 mohon_dicek:1.5 mohon_disurvey:2
        mohon_ditertibkan:2 agar_ditindaklanjuti:2.5 menindaklanjuti:1 merugikan_warga:1 terganggu:2.5
        sangat_terganggu:1 tidak_nyaman:2 semrawut:2.5 kumuh:2 macet_total:1 kemacetan:1.5 menutup_jalan:2
        tidak_memuaskan:3 kurang_memuaskan:2.5 kurang_bagus:2 tidak_bagus:2 kok_belum:2 kok_tidak:1.5
        sampai_sekarang:1 hingga_sekarang:1 sampai_skrg:1 hampir_sebulan:1.5
        sebulan_lebih:1.5 setahun_lebih:1.5 tahun_lebih:1.5 bulan_lebih:1.5 minggu_lebih:1 belum_jadi_jadi:1
        tidak_memberikan_respons:2 tidak_memberikan_respon:2 tidak_ada_jawaban:2 belum_ada_jawaban:2
        tidak_sesuai_prosedur:2 tidak_adil:3 ketidakadilan:3 keadilan:1 mahal_sekali:1.5 dipersulit:3.5
        tidak_puas:2.5 tidak_memudahkan:2 sudah_diaspal:-3 telah_diperbaiki:-3 sudah_dibenahi:-3
        telah_dibenahi:-3 telah_membenahi:-3 telah_memperbaiki:-3 telah_menindaklanjuti:-2
        sudah_menindaklanjuti:-2 langsung_direspons:-2 langsung_direspon:-2 sudah_ada_perbaikan:-2
        sudah_beres:-2 sudah_nyala:-2 sudah_menyala:-2 sudah_mengalir:-2 sudah_lancar:-2
    """,
    _STATUS: """
        laporan:1.5 pengaduan:1 aduan:1 laporan_saya:2.5 aduan_saya:2.5 pengaduan_saya:2.5
        laporan_kami:2.5 aduan_kami:2.5 aduan_kula:2.5 laporan_kula:2.5 pengaduan_abdi:2.5
        laporan_abdi:2.5 aduan_abdi:2.5 laporanku:2.5 aduanku:2.5 ditindaklanjuti:2.5
        tindak_lanjut:2.5 tindaklanjut:2.5 kelanjutan:2.5 kelanjutannya:2.5 sampai_mana:3 sampe_mana:3
        sudah_sampai_mana:0.5 progres:2 progress:2 perkembangan:2 kabar:1 tanggapan:1 sudah_diterima:1.5
        diterima:0.5 diproses:1 sudah_diproses:1.5 sedang_diproses:1.5 kode:1.5 kode_aduan:2.5
        kode_laporan:2.5 nomor_aduan:2.5 nomor_laporan:2.5 tiket:2.5 status:2 cek:1.5 lacak:2.5
        sudah_ditangani:2 ditangani:1 sudah_dicek:1.5 yang_kemarin:1 yang_saya_kirim:2 saya_kirim:1
        saya_laporkan:2.5 sudah_saya_laporkan:0.5 saya_adukan:2.5 tindakan:1.5 ditanggapi:1.5 direspon:1.5
        respon:1 respons:1 kabarnya:0
        lupa_kode:2.5 lupa_kodenya:2.5 nomor_tiket:2.5 kode_tiket:2.5 sudah_diapain:2 diapain:1.5
        diapakan:1.5 sudah_diurus:1.5 sampun_diurus:1.5 sudah_lapor:1.5 sudah_melapor:1.5 pernah_lapor:1.5
        pernah_melapor:1.5 laporane_kula:2.5 aduane_kula:2.5 belum_ada_kabar:1.5
        update_laporan:2.5 update_aduan:2.5 ada_perkembangan:2 laporan_nomor:2 aduan_nomor:2
        cek_laporan:2 cek_aduan:2 kabar_laporan:2.5 kabar_aduan:2.5
        mohon_ditindaklanjuti:-2.5 harap_ditindaklanjuti:-2.5 segera_ditindaklanjuti:-2.5
        jadi_apa_belum:2.5 sudah_jadi_belum:2 selesai_apa_belum:2.5 sudah_selesai_belum:2 bisa_diambil:1.5
        selesainya_kapan:2.5 jadinya_kapan:2 permohonan_saya:2 pengajuan_saya:2 pengajuan_kami:2
        berkas_saya:1.5 sudah_kami_kirimkan:1.5 sudah_saya_kirim:2 tahap_selanjutnya:1.5 kelanjutanya:2.5
        tolong_ditindaklanjuti:-2.5 agar_ditindaklanjuti:-2.5
        sudah_daftar:2 sudah_mendaftar:2 sudah_didaftarkan:2 sudah_mengajukan:2 sudah_diajukan:2
        sudah_usul:2 sudah_mengusulkan:2 sudah_mengisi:1 ngajuin:1 mengajukan:0.5 pengajuan:0.5 usulan:1
        usulan_saya:2.5 usul_saya:2.5 pendaftaran_saya:2.5 proposal_kami:2 proposal_saya:2
        belum_dicek:2.5 belum_di_cek:2.5 belum_cek:2 belum_diverifikasi:2.5 belum_diproses:2
        belum_ada_tanggapan:1.5 belum_ada_kelanjutan:2.5 tidak_ada_kelanjutan:2 tidak_ada_kelanjutannya:2
        belum_ada_kejelasan:1.5 tidak_ada_kejelasan:1 belum_ada_balasan:2 belum_dapat_balasan:2
        tidak_ada_kabar:1.5 belum_ada_respon:1.5 belum_direspon:1.5 belum_ada_konfirmasi:2 belum_jadi:1
        masih_verifikasi:2 proses_verifikasi:1.5 sudah_tahap:1.5 tahap_mana:2.5 sampai_tahap:2
        sudah_dicetak:1.5 melanjutkan_pengaduan:2.5 melanjutkan_keluhan:2.5
        menyambung_keluhan:2.5 keluhan_saya:1.5 kelanjutan_keluhan:2.5 follow_up:2
    """,
    _QUESTION: """
        kapan:2 berapa:2 apa:1 apakah:2 apa_saja:1.5 bagaimana:1.5 dimana:1.5 di_mana:1.5 mana:0.5
        siapa:1.5 boleh_tahu:2 mau_tanya:3 ingin_tanya:3 mau_nanya:3 ingin_tahu:2 mau_tahu:2 mohon_info:2.5
        minta_info:2.5 info:1 informasi:1 tanya:2 nanya:2 bertanya:2 izin_tanya:1 syarat:1.5 iraha:2
        naon:1.5 kumaha:1.5 sabaraha:2 naros:2 piye:1.5 opo:1.5 pinten:2 pira:2 endi:1 kah:1 bisakah:1.5
        adakah:2 gimana:1.5 bagaimana_hasilnya:1 jadi_tidak:1.5 atau_tidak:1 ada_tidak:1.5 ya_pak:0
        punapa:1.5 kados_pundi:2 kinten:1 mangga:0 dikirim:0.5 tahu:0.5 lihat:0.5 rincian:1 berapakah:2
        bilamana:1.5 kapankah:2 dimanakah:2 nggih:0 papan_informasi:-1.5 kamana_mana:-0.5
        kemana_mana:-0.5 dimana_mana:-1.5 sistem_informasi:-1.5
        pripun:1.5 kepripun:1.5 pundi:1 sinten:1.5 saha:1.5 tanyakan:1.5 menanyakan:2 nanyain:2 takon:2
        tanglet:2 nyuwun_pirsa:2.5 pirsa:1 opo_wae:1.5 apa_wae:1.5 naon_wae:1.5
        jam_buka:1 jam_pelayanan:1
        apakah_bisa:1.5 apa_bisa:1.5 bisa_tidak:2 bisa_apa_tidak:1 boleh_tidak:2 bolehkah:2 prosedur:2
        prosedurnya:2 mekanisme:2 alurnya:1.5 penjelasan:1.5 mohon_penjelasan:1.5 minta_penjelasan:1.5
        pencerahan:2 mohon_pencerahan:1 apa_yang_harus:2.5 harus_bagaimana:2 harus_kemana:2.5 ke_mana:1.5
        kemana_ya:1.5 alamatnya:1 lokasinya:1 dimana_ya:1 ingin_saya_tanyakan:1 ingin_menanyakan:1
        mau_menanyakan:1 kalau_mau:1.5 jika_mau:1.5 bila_mau:1.5 jika_ingin:1.5 kalau_ingin:1.5 apabila:1
        misalkan:1 andaikan:1.5 seandainya:1.5 cara:1.5 caranya:1.5 gratis_tidak:1.5 masih_bisa:1
        perlu_tidak:1.5 harus_ke:1 dimana_saja:1 apa_benar:1.5 benarkah:2 betulkah:2 ataukah:1.5
        bagaimana_caranya:0.5 sampai_jam:1 buka_jam:1 tutup_jam:1.5
    """,
    _SUBSCRIBE: """
        daftarkan_nomor:3 berlangganan:3 langganan:3 ikut_info:3 terima_info:3 menerima_info:3
        dapat_kabar:2.5 info_info:1 info_desa:1.5 biar_tidak_ketinggalan:3 masukkan_nomor:3 masukin_nomor:3
        reg:3 nomor_ini:1 langganan_info:1 terima_sms:2.5 menerima_sms:2.5 dapat_pengumuman:3
        terima_pengumuman:3 menerima_pengumuman:3 ikut_grup:2 masuk_grup:2 gabung_grup:2.5 grup_info:2
        kabar_desa:1.5 info_terbaru:1 daftar_nomor:2 terima_informasi:3 menerima_informasi:3 kirimi_info:3
        kirim_info:1.5 berlangganan_informasi:1 berlangganan_info:1 gabung_info:2.5
    """,
    _SUBSCRIBE_WEAK: """
        daftar:1.5 daftarkan:3 didaftarkan:3 didaftarin:3 daftarin:3 mendaftar:2 mendaftarkan:3
        kirimi:2 dikirimi:2 kirimin:2 pengumuman:1.5 ketinggalan:1.5 gabung:2 bergabung:2 aktifkan:2 ikut:1
        ingin_dapat:1 mau_dapat:1 mau_terima:1 mau_menerima:1 dikabari:2 kabari:2 dikabarin:2 warta:1
        dikirimin:2 kirimkan:1.5 ikutan:1.5 ingin_menerima:2 ingin_mendapatkan:1.5 dapat_info:3
        mendapatkan_info:3 mendapat_info:3 mendapatkan_informasi:3 dapat_informasi:3
    """,
    _UNSUBSCRIBE: """
        berhenti_berlangganan:4 berhenti_langganan:4 unreg:4 jangan_kirim:4 jangan_dikirim:4 jangan_kirimi:4
        tidak_usah_kirim:4 tidak_usah_dikirim:4 ampun_ngirim:4 ampun_dikirim:4 sampun_ngirim:3 tong_dikirim:4
        tong_ngirim:4 ulah_dikirim:4 hapus_nomor:4 dihapus_dari:2 tidak_perlu_kirim:4 sms_lagi:1.5
        sms_maneh:1.5 sms_deui:1.5 berhenti_kirim:4 stop_kirim:4 batal_langganan:4 tidak_langganan:3
        hapus_dari_daftar:2 dari_daftar:1 jangan_sms:4 tidak_usah_sms:4 stop_sms:4 jangan_kirimin:4
        tidak_mau_sms:3 jangan_dikirimi:4 jangan_dikirim_lagi:1 tidak_usah_dikirimi:4 tidak_usah_kirimi:4
        ora_usah_dikirimi:4 ora_usah_dikirim:4 ora_usah_ngirim:4 ora_usah_kirim:4 mboten_usah:3 ulah_ngirim:4
        tong_dikirimi:4 jangan_dikirimin:4 tidak_usah_dikirimin:4 hapus_saya:3 tidak_mau_dikirimi:4
        berhenti_dikirimi:4 unsubscribe:4 unsub:4 keluar_grup:3 tidak_perlu_info:3 bukan_nomor_saya:2.5
        stop_info:4 berhenti_info:4 keluar_dari_info:1
    """,
    _UNSUBSCRIBE_WEAK: """
        berhenti:2 stop:3 keluar_dari:3 keluarkan:3 dikeluarkan:2.5 hapus:1.5 tidak_mau_terima:3.5
        tidak_mau_menerima:3.5 tidak_mau_dapat:3 bukan_warga_sini:2.5 bukan_warga:1.5 sudah_pindah:1.5
        pindah_desa:1.5 blokir:2 cabut:1.5 batalkan:1.5 keluar:1 berhentikan:3 hentikan:3 keluarin:3
        dikeluarin:2.5 tidak_ingin_lagi:3 tidak_mau_lagi:3 tidak_perlu_lagi:2 sudah_cukup:1
        tidak_ingin_menerima:3.5 matikan:2 nonaktifkan:3 tidak_ingin_dapat:3 tidak_butuh:2
        sudah_tidak_tinggal:2 tidak_tinggal:1.5 nomor_lama:1.5 salah_orang:1.5
    """,
    _HELP: """
        menu:3 help:3 cara_lapor:3 cara_pakai:3 cara_pakainya:3 cara_mengadu:3 cara_daftar:0 perintah:3
        kode_kode:1 bisa_apa:3 ini_nomor_apa:4 nomor_apa:3 nomor_siapa:3 ini_apa:2 layanan_apa:4
        ini_layanan:1 nomor_naon:3 nomor_iki:2 gawe_opo:2 kentongan:2 dapat_sms:2 dari_nomor_ini:2
        cara_cek:3 cara_ngecek:3 cara_mengecek:3 caranya_cek:3 perintahnya:3 ini_untuk_apa:3 ini_buat_apa:3
        nomor_ini_apa:3 cara_ngadu:3 cara_melapor:3 cara_ngelapor:3 cara_ngalaporkeun:3 cara_nganggo:3
        cara_make:3 ketik_apa:4 formatnya:3 format_sms:2 robot:3 bot:2 layanan_ini:1.5 layanan_iki:2
        nomor_resmi:2 tutorial:3 contoh_format:3 kata_kunci:3 keyword:3 kode_apa:2 lewat_nomor_ini:2
        pakai_ini:2 pake_ini:2 nganggo_layanan:2 menggunakan_layanan:3 menyampaikan_aduan:2
        lapor_tanpa_nama:2
    """,
    _HELP_WEAK: """
        bantuan:1 cara:2 caranya:2 cara_menggunakan:1 panduan:3 petunjuk:3 format:2 tidak_mengerti:2
        tidak_paham:2 bingung:1 diajari:2 ajari:2 fitur:2 cara_kerja:2 pakainya:1 gunanya:2 fungsinya:2
        buat_apa:0.5 ketik:1.5 bisa_ditanyakan:3 tanyakan_di:2 bisa_tanya:1.5 bisa_lapor:2 bisa_ngadu:2
        pertama_kali:1.5 bisa_bantu:2 bantu_apa:2 jelaskan:1 cara_kerjanya:2
    """,
    _SOCIAL: """
        terima_kasih:3 makasih:3 thanks:3 nuhun:3 hatur_nuhun:1 suwun:3 matur_suwun:1 matur_nuwun:3
        maturnuwun:3 maturswun:3 ok:2 oke:2 okey:2 okay:2 siap:2 baik:1 sip:2 mantap:2 mantul:2
        lanjutkan:1.5 alhamdulillah:1.5 amin:1.5 aamiin:1.5 salah_kirim:4 salah_nomor:4 salah_sambung:4
        wkwk:2 wkwkwk:2 haha:2 hahaha:2 hehe:1.5 selamat_hari_raya:4 maaf_lahir_batin:4 lahir_batin:2
        idul_fitri:2 selamat_tahun_baru:3 tebak_tebakan:3 jemput:1.5 terminal:1 sudah_diterima:1.5
        lowongan:3 lowongan_kerja:1 loker:3 salam_kenal:3 assalamualaikum:1 pagi:0.5
        siang:0.5 sore:0.5 malam:0.5 halo:1 hallo:1 hai:1 selamat_pagi:1 selamat_siang:1
        selamat_sore:1 selamat_malam:1 jelas:0.5 sudah_diperbaiki:1.5 ngalir_lagi:1.5 nyala_lagi:1.5
        salam:1 sehat_selalu:2 semoga:1 berkah:1.5 barakallah:2 mohon_maaf:0.5 selamat_ya:2
        selamat_atas:3 sukses_selalu:3 semoga_sukses:3 selamat_bertugas:3 congrats:3 selamat_menjalankan:3
        arisan:2 otw:2 gue:1.5 gua:1.5 bro:1.5 nonton_bola:2 main_catur:2 mabar:2 ngopi:1.5
        ulang_tahun:2 selamat_ulang_tahun:3 hbd:3 semoga_sehat:2 iya:1 ditunggu:1.5 waalaikumsalam:2
        walaikumsalam:2 wa_alaikumsalam:2 swastiastu:2 om_swastiastu:2 salam_sejahtera:2 shalom:2 tes:2
        test:2 uang_terima_kasih:-3
        sangat_membantu:3 membantu_sekali:3 bermanfaat:1.5 sangat_bermanfaat:2 bravo:3 apresiasi:3
        mengapresiasi:3 keren:2 mantab:2 lancar:1.5 fast_respon:3 respon_cepat:3 respons_cepat:3 berkat:1.5
        bangga:2 sukses:1.5 semakin_baik:2 terbaik:1.5 puas:2 ramah:1 memudahkan:1.5 mempermudah:1.5
        mengucapkan_terima_kasih:2 terima_kasih_atas:1 terima_kasih_kepada:1 terima_kasih_banyak:1
        sudah_diaspal:2 telah_diperbaiki:2 sudah_dibenahi:2 telah_dibenahi:2 telah_membenahi:2
        telah_memperbaiki:2 telah_menindaklanjuti:2 sudah_menindaklanjuti:2 telah_merespon:2
        sudah_ada_perbaikan:2 langsung_direspons:2 langsung_direspon:2 sudah_beres:2 sudah_bagus:2
        sudah_nyala:2 sudah_menyala:2 sudah_mengalir:2 sudah_lancar:2 sekedar_saran:2 saran_saya:1.5
        usul_saja:1.5 cuman_usul:2 sekedar_usul:2 mohon_maaf_lahir:1 menyarankan:2 saran:1.5 masukan:1
        magang:2 penelitian:2 skripsi:3 meneliti:2 riset:2 kuesioner:2 mahasiswa:1 mahasiswi:1
        senang:1.5 seneng:1.5 bahagia:2 gembira:2 bersyukur:2 ketabahan:2 turut_berduka:3 berduka:2
        wawancara:1.5 tugas_kuliah:2 memuaskan:2 recommended:2 rekomended:2 bagus:1 top:1 salut:2 jempol:1.5
        bintang_5:2 bintang_lima:2 kasih_bintang:2 akhirnya_bisa:2 akhirnya_berhasil:2 alangkah_baiknya:2
        sedikit_masukan:2 kasih_masukan:2 memberi_masukan:2 memberikan_masukan:2 ngasih_saran:2
    """,
    _SCAM: """
        hadiah:3 undian:3.5 pemenang:3 memenangkan:3 menang:1.5 terpilih:2 klaim:2 selamat_anda:3
        selamat_nomor:3 anda:1.5 nomor_anda:2 transfer:2.5 rek:2 rekening:2.5 biaya_admin:3
        biaya_pencairan:3 pulsa:2 kirim_pulsa:3 mama:1 pinjaman:2.5 pinjol:4 tanpa_jaminan:3
        tanpa_agunan:3 agunan:2 bunga_rendah:3 plafon:3 cepat_cair:3 cair_cepat:3 minat:1.5 balas_ya:2
        hubungi:1.5 link:2.5 klik:2.5 http:1.5 https:1.5 www:2 bit_ly:2 com:2 xyz:3 t_co:-1.5 promo:3
        diskon:2.5
        paket_internet:2.5 kuota:1.5 slot:3 gacor:4 maxwin:4 deposit:3 bonus:2 obat_kuat:4 herbal:2
        cod:3 otp:4 diblokir:2.5 penghasilan:2.5 kerja_online:3 subscribe:2 youtube:2 like:1 jual:1
        dana_hibah:2 kecelakaan:1.5 pelanggan:1.5 yth_pelanggan:2 cs:1.5 shopee:3 tokopedia:3 investasi:3
        profit:3 trading:3 togel:2 isi_data:2.5 data_diri:2.5 verifikasi:2 kemensos:1 biaya_operasi:2
        modal_kecil:3 untung:1.5 cuan:3 gratis_ongkir:3 ongkir:2 order:2 ready:2 dijamin:2 dapatkan:2
        buruan:2.5 terbatas:1.5 wa_me:3 apk:3 unduh:2 download:2 blokir_kartu:2 pemblokiran:2.5
        kavling:3 shm:2 dicicil:2.5 cicilan:2 kredit:1.5 dp:1.5 murah:1 kapal_pesiar:3 cukup_bayar:3
        biaya_pendaftaran:2 tertahan:1.5 bea_cukai:3 resi:2 reseller:3 bpom:2 member:2 new_member:2
        wd:3 situs:2.5 terpercaya:2 ampuh:2 dijual:1.5
    """,
    _HEAD: """
        kades:1 kepala_desa:1 kepala_kampung:1 lurah:1 kuwu:1 petinggi:1 pak_inggi:1 perbekel:1
        keuchik:1 geuchik:1 wali_nagari:1 pambakal:1 hukum_tua:1 kepala_lembang:1 pangulu:1 kadesnya:1
        kepala_kelurahan:1 kepala_gampong:1 kepala_pekon:1 kepala_tiyuh:1 kepala_negeri:1 kepala_nagari:1
        pimpinan_desa:1 pemimpin_desa:1 memimpin_desa:1 datuk_penghulu:1 pak_lembang:1 bu_lembang:1
        bekel:1 klebun:1 kalebun:1
    """,
    _OFFICIAL: """
        kades:1 kepala_desa:1 lurah:1 kuwu:1 petinggi:1 perbekel:1 keuchik:1 geuchik:1 sekdes:1 bekel:1
        klebun:1 kalebun:1
        perangkat:1 perangkat_desa:1 bendahara:1 kaur:1 kasi:1 kadus:1 kepala_dusun:1 bpd:1 aparat:1
        pamong:1 staf_desa:1 pegawai_desa:1 petugas:1 pendamping:1 pak_rt:1 pak_rw:1 ketua_rt:1
        ketua_rw:1 operator_desa:1 pak_kadus:1 kamituwo:1 bayan:1 carik:1 jogoboyo:1 modin:1
        ketua_bpd:1 anggota_bpd:1 pendamping_desa:1 pendamping_pkh:1 kaur_keuangan:1 kepala_kampung:1
        pak_inggi:1 wali_nagari:1 pambakal:1 hukum_tua:1 kepala_lembang:1 pangulu:1 kepala_kelurahan:1
        kepala_gampong:1 kepala_pekon:1 kepala_tiyuh:1 kepala_negeri:1 kepala_nagari:1 pimpinan_desa:1
        pemimpin_desa:1 memimpin_desa:1 datuk_penghulu:1 pak_lembang:1 bu_lembang:1
    """,
    _MISCONDUCT: """
        korupsi:2 korup:2 selingkuh:2 nepotisme:2 kkn:2 keponakan:2 keponakannya:2 ponakan:2 ipar:2
        iparnya:2 adik:1.5 anaknya:1.5 istrinya:1.5 suaminya:1.5 saudara:1.5 saudaranya:1.5 keluarganya:1.5
        kerabat:2 kroni:2 menantu:2 mertua:1.5 pungli:2 pungutan:2 setoran:2 minta_uang:2 minta_setoran:2
        menjual:1.5 dijual:1.5 memaksa:2 diancam:2 mengancam:2 mabuk:2 judi:2 berdua:1.5 mobil_dinas:2
        fasilitas:1 jarang:2 tidak_pernah:1.5 teu_pernah:1.5 ora_tau:1.5 ora_pernah:1.5 ngantor:2
        tidak_ngantor:1 tidak_hadir:2
        mangkir:2 bolos:2 absen:1.5 sibuk:1 partai:2 kampanye:2 politik:2 suap:2 sogok:2 gratifikasi:2
        mark_up:2 markup:2 fee:1.5 dipotong:1 memotong:1.5 menggelapkan:2 gelapkan:2 menyalahgunakan:2
        penyalahgunaan:2 diselewengkan:2 penyelewengan:2 bohong:1.5 ingkar:1.5 pilih_kasih:2 memihak:2
        sewenang_wenang:2 semena_mena:2 arogan:2 kasar:1.5 bentak:1.5 membentak:1.5 marah:1 pribadi:2
        sendiri:1 dhewe:1.5 dewek:1.5 nganggo:1 pakai_dana:2 pakai_uang:2 tanpa_musdes:2
        tanpa_musyawarah:2 tidak_transparan:2 tertutup:1 nebang:1 kontraktor:1 perempuan:1 pelakor:2
        uang_lelah:1.5 tanda_tangan:0.5 jual:1 mancing:1 keliatan:0.5 ada_di_kantor:0.5
        aya_di_kantor:1 tidak_di_kantor:2 jarang_di_kantor:1 intimidasi:2 mengintimidasi:2
        narik:1.5 menarik_uang:2 masukin:1 memasukkan:1 diangkat:1 mengangkat:1 angkat:1 seleksi:1
        warisan:1 tidak_mau:1 menyalahgunakan_wewenang:2 wewenang:1.5 jabatan:1.5 mengabaikan:1.5 cuek:1.5
        tidak_peduli:1.5 acuh:1.5 pungut:1.5 memungut:2 minta_jatah:2 jatah:1 preman:1.5 beking:2
        ngancam:2 ancam:1.5 golok:1 setor:1.5 minta_bagian:2 motong:1.5 tidak_pantas:1.5 pendukung:1.5
        beda_pilihan:2 tim_sukses:2 timses:2 uang_terima_kasih:2 uang_pelicin:2 pelicin:2 mewah:1.5
        kaya_mendadak:2 potong:1.5 istri:1.5 ikut_atur:1.5 ngatur:1 mengatur:1 padahal_mampu:2
        orang_mampu:1.5
    """,
}

_TOPIC_LEXICON: dict[Topic, str] = {
    Topic.JADWAL: """
        jadwal:4 jadwale:4 jadwalnya:4 musdes:2.5 musdus:2.5 musdesus:2 musrenbang:2.5 musrenbangdes:2.5
        musyawarah:2 rapat:2.5 pertemuan:2.5 rembug:2 rembugan:2 kumpulan:2 kumpul:1.5 sosialisasi:1.5
        acara:1.5 kegiatan:0.5 kapan:1.5 iraha:1.5 kapankah:1.5 tanggal:2 tanggalnya:2 hari_apa:2
        jam_berapa:1 pukul:1.5 dimulai:0.5 mulainya:1 diundur:2.5 ditunda:2 dimajukan:2 undangan:1.5
        minggu_depan:1 bulan_ini:0.5 berikutnya:1 selanjutnya:0.5 sidang:1 musyawarah_desa:1
        musyawarah_dusun:1 rapat_desa:1 rembug_desa:1 jam_pinten:1.5 dinten:1 wayah:1 kapan_mulai:0.5
        agenda:3 lokakarya:2 pleno:2 dilaksanakan:1 diadakan:1 digelar:1 ngadain:1 ngadakan:1
        mengadakan:1 hadir:0.5 lokasi_rapat:2 tempatnya:0.5 pengajian:1 posyandu_kapan:0
    """,
    Topic.DANA_DESA: """
        dana:2 dana_desa:2 dd:2.5 add:2.5 alokasi_dana_desa:2 apbdes:4 apbd:3 apb:2 anggaran:3.5
        rab:2 realisasi:3 pagu:3 rincian:1.5 duit:2 uang:1 kas:2 kas_desa:2 pades:3 pendapatan:2
        pendapatan_asli_desa:2 belanja:2 bidang:1 tahap:1 silpa:3 lpj:2 pertanggungjawaban:2
        penggunaan:1.5 dipakai_untuk:1 digunakan_untuk:1 dipakai:0.5 digunakan:0.5 buat_apa:1
        untuk_apa:1 transparansi:1.5 keuangan:2.5 pemasukan:2 pengeluaran:2 dana_bos:0 bagi_hasil:2
        pajak:1 retribusi:1 hibah:1 dianggarkan:2.5 anggarkan:2 digawe:0.5 total:1 totalnya:1
        jumlah:1 persen:1 miliar:1.5 juta:0.5 rupiah:1 rp:1 cair:0.5 masuk:0.5 kemana:0.5
        laporan_keuangan:2 apbdes_tahun:1 perubahan:0.5 bumdes:0.5 modal:0.5
    """,
    Topic.KEPUTUSAN: """
        keputusan:4 keputusane:4 putusan:3 diputuskan:3 diputusin:3 diputus:2 memutuskan:3 sanksi:4
        sangsi:4 denda:3.5 didenda:3.5 hasil:3 hasilnya:3 hasil_rapat:1 hasil_musdes:1
        disepakati:3 kesepakatan:3 sepakat:2 kesepakatane:3 ditetapkan:2 penetapan:1 perdes:3.5
        peraturan_desa:1 peraturan:3 aturan:3 aturane:3 larangan:2.5 dilarang:2 hukuman:3 jam_malam:1
        tata_tertib:2 tatib:2 berita_acara:2 resmi:1 diberlakukan:2.5 berlaku:2 pemberlakuan:2
        perkades:3.5 sk:2 surat_keputusan:2 kebijakan:2.5 ketentuan:2.5 keputusan_rapat:1
        dihukum:2 pelanggar:2.5 melanggar:1.5 pelanggaran:1.5 hasil_rembug:1 mufakat:2 diumumkan:1
        putusane:3 kesimpulan:2.5 notulen:2.5 notulensi:2.5
    """,
    Topic.PROGRAM: """
        program:3.5 programe:3.5 proyek:2.5 pembangunan:2 dibangun:1 membangun:1 rencana:1.5
        rencana_pembangunan:1 rkpdes:3.5 rpjmdes:3.5 kegiatan:1 bantuan:1.5 blt:2.5 blt_dd:1 pkh:2.5
        bpnt:2.5 bst:2 bansos:2 bedah_rumah:3 rutilahu:3 rtlh:3 padat_karya:3.5 pkt:2 pelatihan:2.5
        beasiswa:2.5 sumur_bor:1 embung:1 makan_bergizi:3 mbg:3 bibit:1.5 pupuk_gratis:1.5 subsidi:1
        kur:1 penerima:1 sembako:2 bantuan_apa:1 usulan:1 diusulkan:1 cair:1.5 dimulai:1 mulai:0.5
        ikut:0.5 ikut_kerja:1 pendaftaran:1.5 kuota:1 sasaran:1 kriteria:2 syarat_dapat:1.5 dapat:0.5
        pemberdayaan:1.5 posyandu:2.5 stunting:0.5 kegiatan_desa:1 jalan:0.5 talud:1 jembatan:0.5
        irigasi:0.5 pamsimas:0.5 paud:0.5 bumdes:1 umkm:1 modal:1 hibah:0.5 ternak:1 lele:1 bibit_ikan:1
        renovasi:1 pengaspalan:1 betonisasi:1 tahun_depan:1 tahun_ini:0.5 rencana_desa:1 dapat_bantuan:1
        bantuan_rumah:1.5 pbi:2 kis:1.5 bpjs:1.5 kip:2 pip:2 bltdd:2.5 jaminan_sosial:1.5 blt_dana:3
        lansia:0.5 kursus:3 komputer:1 peserta:1.5 rusun:2.5 rusunawa:2.5 ppdb:2.5 ikut_kursus:1 mendaftar:1
        daftar:1 ikut_pelatihan:1 mengikuti:1 kuota_peserta:1
    """,
    Topic.LAYANAN: """
        layanan:3.5 pelayanan:3 syarat:2.5 syaratnya:2.5 syaratna:2.5 persyaratan:3 ktp:3 ektp:3 kk:3
        kartu_keluarga:1 akta:3 akte:3 surat:3 surat_keterangan:1 domisili:3 sktm:3 skck:3 pengantar:2
        pindah:1.5 pecah_kk:2 nikah:1.5 legalisir:3 fotocopy:1 fotokopi:1 adminduk:3 dukcapil:3 kantor:2
        kantor_desa:1 jam_buka:3 buka:2 tutup:1.5 istirahat:2 jam_kerja:2 jam_pelayanan:2 biaya:1.5
        biayanya:1.5 bikin:1 membuat:1 ngurus:1.5 urus:1.5 mengurus:1.5 berkas:2 dokumen:2 bawa_apa:2
        tanda_tangan:1.5 stempel:2 ngadamel:1 kartu:1 bpjs:1 kis:1 keterangan:1.5 sku:3 izin:0.5
        mengajukan:1 pengajuan:1.5 lama_prosesnya:2 prosesnya:1.5 jadi_hari_ini:1.5 online:1 sabtu:1.5
        minggu_buka:1 buka_tidak:1 buka_gak:1 pelayanan_keliling:1 keliling:1 nik:2 kia:2 akta_lahir:1
        akta_kelahiran:1 akta_kematian:1 kematian:1 kelahiran:1 surat_pindah:1 sporadik:2 sertifikat:1.5
        pbb:2 petugas:1 operator:1 sekdes:0.5 pelayanan_desa:1 administrasi:2 cap:1
    """,
}

_CATEGORY_LEXICON: dict[Category, str] = {
    Category.INFRASTRUKTUR: """
        jalan:2 dalan:2.5 jalanan:2.5 jembatan:3.5 sasak:3 kreteg:3 wot:2 gorong_gorong:3 gorong:2
        drainase:3 got:2.5 selokan:3 solokan:3 saluran:2 irigasi:3 talud:3 tanggul:1.5 aspal:3
        diaspal:3 beton:2 cor:2 paving:3 lampu:2.5 lampune:2.5 pju:3.5 penerangan:2.5 tiang:1.5
        tiang_listrik:1 listrik:1.5 berlubang:2 lubang:2 balai:1 gedung:2 atap:1 bangunan:1.5 gapura:3
        jalan_usaha_tani:2 jut:2 jalan_setapak:1 gang:1.5 pagar:1 retak:0.5 ambruk:0.5 jebol:1 kabel:1
        rabat:2 makadam:3 batu:0.5 kerikil:2 ambles:0.5 polisi_tidur:2 bendungan:2 dam:2 pintu_air:2
        jalan_rusak:1 jalan_berlubang:1 lampu_jalan:1 tembok:0.5 plafon:1.5 genteng:1 bocor:0.5
        pembangunan:0.5 proyek:0.5 kualitas:1.5 kualitasnya:1.5 perbaiki_jalan:1.5 perbaikan_jalan:1.5
        diperbaiki:0.5 lapisan:1 pos_ronda:0 pasar:0
        tower:0 sinyal:0 jembatan_gantung:1 galengan:2 pematang:1.5 sungai:0.3 kali:0.3 licin:1 becek:1
        blethok:1 gelap:1 lampu_mati:1 perbaikan:1 pengaspalan:2 betonisasi:2 dilewati:1 lewat:0.5
        infrastruktur:3 fasilitas_umum:2 fasum:2 gorong_gorongnya:3 saluran_air:1 tersumbat:0.5
        mampet:0.5 kendaraan:1 motor:0.5 mobil:0.5 truk:0.5 amblas:1.5 tidak_bisa_lewat:1.5
        tidak_bisa_dilewati:1.5 susah_lewat:1.5 tidak_bisa_dilalui:1.5
        lobang:2 bolong:2 bolongan:2 growong:1.5 ratan:2.5 jalan_poros:1 jalan_kampung:1 jalan_desa:1
        jalan_tani:2 uwot:2.5 titian:2 cor_coran:2 penerangan_jalan:1.5 parit:2.5 bendung:2 embung:2
        bronjong:3 plengsengan:3 turap:2.5 balai_desa:1.5 gedung_serbaguna:2 aula:1.5 diurug:2 urug:1.5
        pengerasan:2 sirtu:2.5 kubangan:2 ambrol:1.5
        pemadaman:3 mati_lampu:3 byar_pet:4 byarpet:4 nyala_mati:3 listrik_padam:2 listrik_mati:2 pln:1.5
        margi:2 jalan_keluar:-2 pedestrian:2.5 trotoar:2 lampu_lalu_lintas:2 rambu:2 marka:2 median:1.5
        speed_bump:2 jalan_berlubang:1 tiang_pju:1
    """,
    Category.AIR_SANITASI: """
        air:1.5 air_bersih:3 pamsimas:4 pdam:4 hippam:3 spam:1 sumur:3 sumur_bor:1 pipa:3 pipane:3
        keran:3 kran:3 ledeng:3 tandon:3 toren:3 bak_air:2 mck:4 jamban:4 wc:3 toilet:3 septic:3
        septic_tank:1 septik:3 septiktank:4 tinja:3 bab:2 buang_air_besar:3 sanitasi:4 ngalir:2
        mengalir:2 ngocor:2 keruh:3 buthek:3 kaporit:3 cai:3 caina:3 banyu:3 banyune:3 iuran_air:2
        meteran_air:3 air_mati:2 air_minum:2 galon:1 kering:0.5 air_keruh:1 air_bau:1 selang:2
        distribusi_air:2 sumber_air:2 mata_air:2 debit:2 pompa:1 pompanya:1 limbah_rumah_tangga:1
        kakus:3 jambanisasi:4 cacing:1 cacingnya:1 kamar_mandi:2 pemandian:2 air_pam:3 pam:2
        air_asin:0.5 kali:0.3 ambil_air:1.5 beli_air:2 kebagian:0.5 iuran:0.5
        air_sumur:2 bak_penampungan:2 penampungan_air:2 krisis_air:3 kekurangan_air:2 air_kotor:2
        air_berbau:2 mili:2 banyu_resik:2 cai_beresih:2 saluran_pembuangan:1.5 sumur_kering:2
        tagihan_air:2.5
    """,
    Category.KESEHATAN: """
        posyandu:4 polindes:4 poskesdes:4 puskesmas:3 pustu:3 bidan:3.5 mantri:2 mantri_hewan:-3
        dokter:3 perawat:2.5 obat:2.5 stunting:4 gizi:3 gizi_buruk:1 balita:2.5 bayi:1.5 imunisasi:3.5
        vaksin:3 vaksinasi:3 dbd:4 demam_berdarah:4 demam:2 jentik:3 fogging:4 nyamuk:2.5 diare:4
        muntaber:4 sakit:1.5 ambulans:4 ambulan:4 ambulance:4 melahirkan:3 hamil:3 persalinan:3
        kesehatan:3 pmt:3 kader:1 lansia:1 pos_lansia:2 tensi:3 berobat:1.5 rumah_sakit:2 rs:1.5 tbc:4
        tbc_paru:1 keracunan:3 vitamin:3 obat_cacing:1 timbangan:2 kb:2 bpjs:1.5 kartu_sehat:2 kis:1
        nakes:4 tenaga_kesehatan:1 petugas_kesehatan:1 penyuluhan:1.5 kurang_gizi:2 kurus:1
        anemia:4 hipertensi:4 darah_tinggi:3 diabetes:3 covid:3 campak:4 kusta:4 rabies:3 kolera:4
        tifus:4 tipes:4 malaria:4 sehat:0.5 pasien:2.5 klinik:3 apotek:2 apotik:2 berat_badan:2
        ibu_hamil:1 bumil:3 melahirkan_di:1 persalinan_di:1 rujukan:2 dirujuk:2 dirawat:2 meninggal:0.5
        kesehatan_ibu:1 gatal:1.5 kulit:1 korengan:2 panu:2 sesak_nafas:0.5 lumpuh:2 disabilitas:1.5
        lahiran:3 lahir:1 mobil_siaga:3 kendaraan_siaga:2 implan:3 suntik_kb:2 kontrasepsi:3 jkn:1.5
        batuk:1.5 pilek:1.5 muntah:2 mencret:3 cacar:3 hepatitis:3 hiv:3 stroke:2 kanker:2 abate:3
        gangguan_jiwa:2.5 pasung:3 dipasung:3 posbindu:4 tenaga_medis:3 medis:2 opname:2
        chikungunya:4 cikungunya:4 db:2 penyemprotan_nyamuk:2 jamkesda:3 jkn_kis:2 rsud:3
    """,
    Category.PENDIDIKAN: """
        paud:4 tk:3 sd:1.5 smp:2 sma:2 smk:2 sekolah:2.5 guru:3.5 murid:2.5 siswa:2.5 belajar:2.5
        ngaji:2 tpq:3.5 tpa:1 madrasah:3 pesantren:2.5 ustadz:2.5 ustad:2.5 ustadzah:2.5 iqro:3
        perpustakaan:4 perpus:4 buku:2.5 ruang_baca:3 taman_baca:3 beasiswa:3 putus_sekolah:2
        kejar_paket:4 paket_a:2 paket_b:2 paket_c:2 les:2.5 bimbingan_belajar:3 bimbel:3 kesenian:3.5
        seni:3 sanggar:3.5 tari:3 karawitan:4 gamelan:4 kuda_lumping:3 jaranan:3 reog:3 wayang:3
        budaya:3 kebudayaan:3.5 cagar_budaya:3 adat:1.5 seragam:3 spp:3 ijazah:3 antar_jemput:1.5
        pelatih:1.5 edukatif:3 ngajar:2.5 mengajar:2.5 diajari:1.5 kelas:1.5 pendidikan:3.5 pelajaran:3
        sekolahnya:2.5 ekstrakurikuler:3 pramuka:2.5 mural:1 kesenian_daerah:1 sinden:3 degung:3
        angklung:3 jaipong:3 pencak_silat:2.5 silat:2 literasi:3 buta_huruf:3 pelajar:2.5 mahasiswa:1
        kuliah:1 honor_guru:1 tenaga_pengajar:3 pengajar:3 alat_peraga:3 mainan:1 permainan:1.5
        rayap:0.5 anak_sekolah:-1 madin:3 diniyah:3 santri:2.5 mengaji:2
        mts:2 guru_honor:2 guru_honorer:2 dana_bos:2 taman_bacaan:3 tbm:3 upacara_adat:1.5 ruang_kelas:2
        bangku:1.5 gedung_sekolah:1.5 zonasi:3 ppdb:3 rapor:2 raport:2 ujian:2
    """,
    Category.EKONOMI: """
        bumdes:4 bum_desa:4 pasar:2.5 pedagang:3 padagang:3 lapak:3 kios:3 warung:1 pupuk:4 urea:3.5
        npk:3.5 subsidi:2 pupuk_subsidi:1 bibit:2.5 benih:2.5 petani:2.5 tani:2 gapoktan:3.5
        poktan:3 kelompok_tani:1 sawah:1 gabah:3.5 panen:2 padi:1.5 ternak:3.5 sapi:3 kambing:3 dipelihara:2
        pelihara:2 memelihara:2 ternaknya:3
        ayam:0.5 lele:3 ikan:1.5 nelayan:2.5 pelelangan_ikan:2 tpi:3 umkm:4 ukm:3.5 usaha:2 modal:2.5
        simpan_pinjam:3.5 koperasi:3.5 kur:2.5 pinjaman:1 harga:2.5 anjlok:3 pengrajin:3 kerajinan:3
        anyaman:2 pelatihan:1.5 traktor:3.5 alsintan:3.5 retribusi:3 sewa:2 jualan:1.5 dagang:2.5
        dagangan:2.5 berdagang:2.5 tandur:2.5 tandurane:2.5 mantri_hewan:4 hewan:2 kandang:0.5
        peternak:3 peternakan:1.5 lapangan_kerja:2 pengangguran:2.5 wisata:2 desa_wisata:1
        hasil_tangkapan:1.5 hasil_panen:1.5 kelompok_ternak:1 pakan:3 obat_hewan:1 vaksin_hewan:1
        penggilingan:3 gilingan:3 tengkulak:3 pembeli:2 penjual:2 dijual:0.5 jual:0.5 beli:0.5
        setoran:1 penghasilan:1.5 pendapatan:1 ekonomi:3 produktif:2 produksi:2 tambak:3 kebun:1
        perkebunan:2 kopi:1.5 karet:2 sawit:2 cengkeh:2 tembakau:2 jagung:2 kedelai:2 singkong:2
        hama:3 wereng:3 tikus:1.5 gagal_panen:2 kelompok:0.5 pinjam:1 bunga:1 lelang:2 toko:1
        gapoktannya:3 kios_pupuk:1 sembako_mahal:3 minyak_goreng:1 elpiji:3 lpg:3 gas_melon:3
        flu_burung:3 unggas:3 pmk:3 antraks:3 anthrax:3 ternak_mati:2 puso:2 harga_gabah:2 cabai:1.5
        cabe:1.5 bawang:1.5 sayur:1 hasil_bumi:2 kartu_tani:3 rdkk:3 kolam:1.5 perahu:2 jaring:1.5 solar:1.5
        minyak_tanah:1.5 rentenir:2.5 bank_emok:3 pariwisata:2 homestay:2 batik:2 tenun:2
        nganggur:3 menganggur:3 cari_kerja:3 mencari_kerja:3 lapangan_pekerjaan:3 buruh:3 pekerja:2
        pekerjaan:2 upah:3 gaji_buruh:1 thr:3 pesangon:3 phk:3 di_phk:1 omset:2
        sepi_pembeli:2
        harga_naik:2 harga_sembako:3 gas:1.5 pupuk_langka:2 gas_langka:2 modal_usaha:2 bantuan_modal:1
        lowongan_kerja:2 kerja:0.5 outsourcing:2 perusahaan:1 sembako:1.5 pasar_sepi:2 jualan_sepi:2
    """,
    Category.LINGKUNGAN: """
        sampah:4 runtah:4 uwuh:4 tps:3.5 tpa:2 bank_sampah:1 limbah:4 polusi:4 pencemaran:4
        tercemar:3.5 mencemari:3.5 asap:2.5 bau:1.5 ambune:1.5 bau_busuk:1 bakar:2.5 membakar:2.5
        dibakar:2 pembakaran:3 bakar_sampah:1 ngaduruk:2.5 tebang:3.5 nebang:3.5 menebang:3.5
        ditebang:3.5 penebangan:4 pohon:1 hutan:3 leuweung:3.5 alas:1 hutan_lindung:1 liar:1.5
        tambang:3 penambangan:3.5 galian:3 ilegal:1.5 galian_c:1 pasir:1.5 sungai:1.5 kali:1.5 buang_sampah:1
        nyetrum:4 setrum:3 potas:4 racun_ikan:3 lalat:3 kandang_ayam:2 kebersihan:3 kotor:2
        papan_larangan:1 bata:1.5 abrasi:2 reboisasi:3 penghijauan:3 lingkungan:2 gerus:1.5 erosi:2
        plastik:2 haseup:2.5 haseupna:2.5 kumuh:2 got_bau:1 bangkai:2.5 bangke:2.5 kotoran:2
        kotoran_ternak:1 peternakan_babi:1 babi:1 tinja:0.5 selokan_bau:1 pabrik:2 industri:1.5
        mangrove:3 bakau:3 satwa:2.5 burung:1 perburuan:3 berburu:2 pestisida:2 gundul:3 pembalakan:4
        illegal_logging:4 sampah_plastik:1 sampahnya:4 berserakan:2 kebisingan:0.5 debu:2.5 berdebu:2.5
        dikeruk:2.5 pengerukan:3 keruk:2 tanah_urug:2 bukit:1.5 ditebangi:3.5 tong_sampah:1.5
        gerobak_sampah:1.5 truk_sampah:2 petugas_sampah:1.5 kotoran_ayam:1.5 bau_kandang:2 pantai:1
        terumbu_karang:3
        pohon:1.5 sungai:1 menumpuk:1.5 perantingan:4 pemangkasan:4 pangkas:3 dipangkas:3 ranting:3 dahan:3
        rimbun:3 rapikan:1 dirapikan:1 tumpukan:2 menggunung:2 pembuangan:2 membuang:1.5 ulat:2 ulat_bulu:2
        menyengat:2 bau_menyengat:1 tidak_sedap:2 kurang_sedap:2 dkp:3 dlh:3 pertamanan:3 taman:1
        sampah_menumpuk:1 kotor:1
    """,
    Category.BENCANA: """
        banjir:4 banjir_bandang:1 longsor:4 tanah_longsor:1 kebakaran:4 terbakar:3 puting_beliung:4
        angin_ribut:4 angin_kencang:3 hujan_angin:2.5 angin:2 badai:4 gempa:4 lini:4 lindu:4 tsunami:4
        rob:4 air_pasang:3 meluap:2 kali_meluap:1 tumbang:3 roboh:2 ambruk:1.5 terbang:1.5 korban:3
        mengungsi:4 ngungsi:4 pengungsi:4 pengungsian:4 evakuasi:4 tanah_retak:2 retak:1 tanah_turun:3
        amblas:3 ambles:3 bencana:4 darurat:2.5 kekeringan:3 kemarau:2.5 gagal_panen:1 bantuan:0.5
        terpal:3 selimut:2.5 logistik:3 tenda:2 siaga:2 waspada:2 surut:2.5 kebanjiran:4 genangan:1
        hujan_deras:1.5 lumpur:1.5 gunung:1 erupsi:4 abu_vulkanik:4 pohon_tumbang:1 tebing:2 kobong:3
        kebakaran_lahan:1 kebakaran_hutan:1 lahar:4 gelombang:2 gelombang_tinggi:2 puting:2 beliung:2
        porak_poranda:3 hanyut:3 terseret:2 tertimbun:3 tertimpa:2.5 nimpa:2 nutup:0.5 atap_terbang:1
        rumah_roboh:1 karasa:1 lindu_gede:1 banjir_rob:1 semalam:0.3 tadi_malam:0.3 makanan:1
        pengungsian_di:1 posko:1.5 sembako:0 banjir_masuk:1 setinggi:1.5 lutut:1 dada:1 bandang:4 air_naik:2
        bantaran:1.5 panik:1 tertutup_tanah:2 tertutup_longsor:2
        caah:3 jugrug:3 rugrug:2.5 gunung_meletus:3 meletus:3 awan_panas:3 tanah_bergerak:3
        pergerakan_tanah:3 terendam:3 kelelep:2 bpbd:3 basarnas:3 tagana:3 relawan:1.5 dapur_umum:3
        korban_jiwa:2 munggah:1
    """,
    Category.BANSOS: """
        bansos:4 blt:4 blt_dd:1 bltdd:4 pkh:4 bpnt:4 bst:3 sembako:2.5 beras:2 raskin:4 rastra:4
        kartu_sembako:1 dtks:4 penerima_bantuan:1.5 penerima:2 bantuan:1 bantuan_sosial:2 bedah_rumah:3.5
        rtlh:3.5 rutilahu:3.5 tidak_layak_huni:3 miskin:3 mlarat:3 tidak_mampu:2 keluarga_miskin:1
        lansia:1 yatim:2.5 janda:2.5 sebatang_kara:2 salah_sasaran:3 tepat_sasaran:3 sasaran:2
        orang_kaya:3 cair:2 pencairan:2.5 dipotong:2 potongan:2 didata:2.5 pendataan:2.5 data:1 kpm:4
        pendamping:2 kartu_atm:1 kks:3 uang_rokok:1 jatah:2 kebagian:1.5 bantuan_langsung_tunai:3
        kpm_pkh:1 pbi:3 kis:1.5 kip:2 pip:2 miskin_ekstrem:2 fakir:3 dhuafa:3 duafa:3 jompo:2
        disabilitas:1 penyandang:1.5 bantuan_pangan:3 bantuan_beras:2 sepeserpun:1 nerima:1 menerima:1
        dikasih:1 dibagi:1 pembagian:1.5 pembagiannya:1.5 susah:0.5 kaya:1 punya_mobil:2 punya_toko:2
        mampu:1 tidak_dapat_bantuan:1.5 belum_dapat_bantuan:1.5 bantuan_tunai:3 santunan:3 zakat:2
        sedekah:1 bantosan:1 bantuan_rumah:2
        dicoret:2.5 tercoret:2.5 dtsen:4 p3ke:3 e_warong:3 ewarong:3 agen_bpnt:2 rehab_rumah:2
        pra_sejahtera:2 prasejahtera:2 yang_mampu:1.5 penerima_ganda:2 data_ganda:1.5
        aplikasi:1.5 apk:1.5 usulan:2 usul:1.5 mengusulkan:2 diusulkan:1.5 usulan_mandiri:2 kemensos:3
        dinsos:3
        layak:1.5 terdaftar:1.5 penerima_manfaat:2 cek_bansos:2 bantuan_sembako:2 permakanan:3
    """,
    Category.ADMINISTRASI: """
        ktp:4 ektp:4 ktp_el:1 kk:4 kartu_keluarga:1 akta:4 akte:4 surat:3 surat_pengantar:1
        surat_keterangan:1 skck:4 sktm:4 domisili:4 keterangan_usaha:2 sku:3 surat_tanah:1
        jual_beli_tanah:1 sertifikat:2.5 pbb:2.5 pajak:2 kantor:2 kantor_desa:1 pelayanan:3.5 layanan:3
        jam_pelayanan:1 jam_kerja:1.5 tutup:1 antri:3 antre:3 ngantri:3 ngantre:3 dipersulit:4 persulit:4
        berkas:3 dokumen:3 tanda_tangan:2.5 ditandatangani:2.5 tanda_tangannya:2.5 stempel:3 cap:1
        staf_desa:2 staf:1.5 petugas_pelayanan:2 operator:2 blanko:3.5 blangko:3.5 pindah_datang:3
        pindah:1 nikah:2 kartu:1 salah_ketik:3 salah_nama:2 biaya:1.5 dimintai_biaya:1 bayar:1
        gratis:1 lambat:2 jutek:2.5 judes:2.5 tidak_ramah:2.5 ketus:2.5 dukcapil:3 adminduk:3
        kependudukan:3 nik:3 pengurusan:2 ngurus:2 urus:2 mengurus:2 diurus:2 proses:1 diproses:2
        legalisir:3 sekdes:1 kaur:1 kasi:0.5 perangkat:0.5 petugas:1 pegawai:1.5 administrasi:4
        mutasi:2 akta_kelahiran:1 akta_kematian:1 surat_pindah:1 surat_nikah:1 kia:3 bpjs:0.5
        disuruh_balik:2 bolak_balik:2 balik:0.5 cuti:1.5 tanda:0.5 ditolak:1 pengajuan:1.5 verifikasi:0
        surat_menyurat:3 registrasi:2 kartu_identitas:3 identitas:0.5 pengantar:2 rekomendasi:2
        tanah:0.5 per_kk:-4 tiap_kk:-4 setiap_kk:-4 letter_c:3 girik:3 sporadik:3 ajb:3 sppt:3 jam_buka:2
        buka:1 keterangan:1.5
        skd:3 surat_ahli_waris:2 ahli_waris:2.5 jam_kantor:2 melayani:2 dilayani:2 surat_izin:2
        izin_usaha:2 imb:3 izin_keramaian:3 surat_jalan:2 legalisasi:3 capil:2.5 disdukcapil:3
        siup:3 tdp:3 rekam:2 perekaman:3 cetak:1.5 dicetak:1.5 dispenduk:3 dispendukcapil:3 perpanjangan:2
        ksk:2 ipt:2 petok:3 waris:2 kua:2 ktp_el:2 suket:3 blangko_ktp:2 paspor:2 passport:2
    """,
    Category.TATA_KELOLA: """
        dana_desa:3 dd:2.5 add:2 apbdes:3.5 anggaran:2.5 transparan:3.5 transparansi:4 tidak_transparan:1
        korupsi:4 korup:4 mark_up:4 markup:4 penyelewengan:4 diselewengkan:4 menyalahgunakan:4
        penyalahgunaan:4 kas_desa:3.5 tanah_kas_desa:1 aset_desa:4 tanah_bengkok:1 bengkok:2.5
        perangkat:2.5 perangkat_desa:1 kades:1 kepala_desa:1 lurah:1 kuwu:1 petinggi:1 sekdes:2
        bendahara:3 kaur:2.5 kasi:1.5 kadus:1.5 kepala_dusun:1.5 bpd:3 musdes:1.5 musdus:0.5 lpj:3.5
        papan_informasi:3.5 baliho:2 papan_proyek:3 proyek:2 kontraktor:3 tender:3 nepotisme:4 kkn:4
        keponakan:3 keponakannya:3 ponakan:3 saudara:1.5 mobil_dinas:4 fasilitas_desa:3.5 dinas:1
        pungutan:3.5 pungli:5 setoran:2.5 minta_setoran:1 tanpa_kwitansi:2 kwitansi:2 tanpa_musdes:2
        tanpa_musyawarah:2 diputusin_sendiri:3 sendiri:1 jarang:1 ngantor:3 tidak_pernah_hadir:1
        pilkades:3 pemilu:2 pileg:3 pilkada:3 partai:2.5 politik:2.5 kampanye:3 memaksa:1.5 diancam:1
        selingkuh:3 berdua:1.5 uang_kas:2 honor:1.5 kemana_sisanya:1 sisanya:1.5 dipakai_apa:2
        pengusaha:1.5 dijual:1 menjual:2 pemerintah_desa:2 aparat:1.5 aparat_desa:1.5 oknum:1
        laporan_keuangan:3 keuangan:2.5 sewenang_wenang:3 arogan:2.5 sepihak:2.5 musyawarah:1
        pembangunan:1 dana:1.5 uang_desa:3 duit_desa:3 informasi:0.5 keterbukaan:3 kantor:0.5
        pejabat:2 jabatan:2 wewenang:2 staf_perempuan:1 jam_kerja:0.5 pemerintahan:2 kebijakan:1.5
        tanah_desa:3 aset:2 mobil:0.5 sibuk:0.5 partai_politik:1 nganggo:1 uang:0.5 rapat:0.5
        anggota_bpd:1 ketua_bpd:1 kinerja:2.5 pelantikan:2 pengangkatan:2.5 diangkat:1.5 seleksi:2
        rekrutmen:2.5 pilih:0.5 calon:1 suara:0.5 ora_tau:1.5 nepotis:4 kroni:3 kerabat:2 menantu:1.5 ipar:1.5
        iparnya:1.5 fiktif:4 mangkrak:1 plang:2 spj:3 realisasi:2 pertanggungjawaban:2.5 swakelola:3
        dikerjakan:1 bpd_tidak:1 aspirasi:1.5 kas:1.5 gaji:1 siltap:3 tunjangan:2 perjalanan_dinas:3
        studi_banding:3 honorarium:2 keluarga_perangkat:0 judi_online:0.5 teu_pernah_aya:2
        tidak_pernah_ada:1.5 jarang_ada:1.5 aya_di_kantor:1 tidak_di_kantor:1.5 jarang_di_kantor:1.5
        rincian_anggaran:2 megah:1 pemborosan:3 boros:2 menghamburkan:3 pribadi:1.5 mobil_desa:2
        pengawas:2 pengawasan:2 tpk:2.5 spesifikasi:2 sppd:2 bimtek:3 tidak_dilibatkan:3 dilibatkan:1.5
        partisipasi:1.5 pemimpin:1.5 kepemimpinan:2 etika:2
        karcis:3 tarif_parkir:3 uang_parkir:2.5 parkir_resmi:1 tidak_sesuai_karcis:2 pungutan_liar:2 upeti:3
        pejabat_desa:1 perangkat_kelurahan:1 netral:1 pemilihan_rt:2 panitia_pemilihan:2
        tanpa_karcis:3 karcis_bekas:3 tidak_resmi:2 pemalakan:3 malak:2 memalak:2 gratifikasi:4
        penyogokan:4 sogok:3 menyogok:3 disogok:3 suap:4 disuap:4 calo:3 percaloan:3 uang_pelicin:4
        pelicin:3
    """,
    Category.KEAMANAN: """
        maling:5 pencurian:5 dicuri:5 mencuri:5 curi:4 nyolong:5 dicolong:5 kemalingan:5
        kehilangan:2.5 hilang:1.5 digondol:3.5 begal:4 rampok:4 perampokan:4 copet:4 jambret:4
        ronda:3 siskamling:4 pos_kamling:1 kamling:4 hansip:3 linmas:3 satpam:2 keamanan:3.5 aman:1.5
        tidak_aman:1.5 rawan:2.5 mabuk:3 mabukan:1 miras:3.5 minuman_keras:4 ciu:3 tuak:3 arak:3
        narkoba:4 sabu:4 ganja:4 obat_terlarang:4 pil_koplo:4 judi:3 sabung_ayam:4 togel:3 tawuran:4
        berkelahi:4 berantem:4 perkelahian:4 bacok:4 dibacok:4 luka:1.5 keroyok:4 dikeroyok:4 ribut:2.5
        keributan:3 onar:3 berisik:3 bising:3 kebisingan:3 sound_system:3.5 musik_keras:3 keras:1
        ganggu:1.5 mengganggu:1.5 balap_liar:4 trek_trekan:4 knalpot:3.5 knalpot_brong:1 teriak:2
        sengketa:3.5 batas_tanah:3 patok:3 patoknya:3 mediasi:2.5 dimediasi:2.5 cekcok:3.5
        bertengkar:3.5 perselisihan:3.5 tetangga:1 wong_edan:3 orang_gila:3 odgj:3 ngamuk:3
        mengamuk:3 diamankan:3 polisi:2 babinsa:2 bhabinkamtibmas:3 kriminal:3 preman:3.5 pemalakan:3.5
        dipalak:3.5 malak:3 penipuan:2 anak_kos:1 pesta:1.5 pesta_miras:1 kumpul_kebo:3 prostitusi:3
        asusila:3 pelecehan:3.5 kdrt:3.5 kekerasan:3 anjing_liar:2 tengah_malam:1 ketertiban:3
        tertib:1 meresahkan:1.5 resah:1 takut:1 ketakutan:1.5 senjata:3 sajam:4 petasan:3 mercon:3
        pencuri:4 garong:4 bandar:2 pengedar:4 penjambretan:4 dijambret:4 pencopetan:4 dicopet:4
        dibegal:4 pembegalan:4 dirampok:4 peredaran:2 nongkrong:1.5 begadang:1 teriak_teriak:1
        bacokan:4 pengeroyokan:4 pembunuhan:4 pemerkosaan:4 penganiayaan:4 dipukul:3 memukul:3
        pukul:1 perjudian:4 sabung:3 motor_hilang:1 ditipu:2 tipu:2 kehilangan_motor:1 ricuh:3
        kerusuhan:4 bentrok:4 provokator:3 hoaks:0.5 pemuda_mabuk:1 bocah:0.3 marak:1
        raib:3 ical:2 ilang:1.5 kecolongan:4 dibobol:4 disatroni:4 dijarah:3 digasak:4 golok:3 parang:3
        celurit:4 clurit:4 ngancam:2 mengancam:2 ancaman:2 teror:3 diteror:3 orang_asing:2.5 mondar_mandir:2
        mencurigakan:3 curiga:2 penyusup:3 menengahi:2.5 didamaikan:2 penyerobotan:3 diserobot:3
        serobot:3 dirusak:2 perusakan:3 vandalisme:3 geng_motor:3 curanmor:4 pemerasan:3 diperas:3
        memeras:3 judol:3 obat_keras:3 tramadol:3 oplosan:3 ballo:3 cap_tikus:3 lapen:3 perang_sarung:3
        kenakalan_remaja:3 anak_punk:3 gelandangan:2 pengemis:2 parkir_liar:2 anjing_galak:2
        parkir:2 liar:1 parkiran_liar:2 terganggu:1.5 ditertibkan:3 menertibkan:3 tertibkan:3 penertiban:3
        satpol:3 trantib:3 larut_malam:2 ketegasan:1.5 balapan:3 garasi:1.5 sembarangan:1.5 bahu_jalan:2
        badan_jalan:2 pkl:4 pedagang_liar:3 pedagang_kaki_lima:3 pengamen:3 gepeng:3 karaoke:2.5 main_bola:2
        bermain_bola:2 bongkar_muat:2 jukir:1.5 juru_parkir:1 tukang_parkir:1 preman:0.5 pereman:3.5
        ketertiban_umum:1 dishub:1
    """,
    Category.LAINNYA: """
        masjid:1.5 mushola:1.5 musholla:1.5 langgar:1 pengeras_suara:2.5 toa:2 makam:2 pemakaman:3
        kuburan:2 sinyal:3.5 tower:3 internet:2 wifi:2 lapangan:2.5 sepak_bola:2.5 olahraga:2.5
        grup_wa:3 grup:1.5 hoax:3 hoaks:3 iuran:1 agustusan:2.5 tujuhbelasan:2.5 17_an:2.5 parkir:0
        anjing:1 kucing:1 pln:1.5 kerja_bakti:1 karang_taruna:2.5 gereja:1.5 pura:1.5 vihara:1.5
        tempat_ibadah:2 jaringan:2 provider:2 pemuda:0.5 ormas:2 media_sosial:2 medsos:2 facebook:1.5
        keranda:0.5 tanah_makam:1 ambulans_jenazah:0 jenazah:1 sumbangan:1.5 donasi:1 kurban:2 qurban:2
        listrik_pln:1 token_listrik:2 meteran_listrik:2 tv:2 televisi:2 siaran:2.5 tv_digital:1 antena:2
        stb:2.5 kurir:3 ekspedisi:3 alamat:1 kode_pos:3 pos_indonesia:2 lomba:2 voli:2
        futsal:2 bulu_tangkis:2 badminton:2 turnamen:2 pertandingan:2 nisan:2 tpu:2.5 azan:1.5 adzan:1.5
        bts:2 transportasi:2 angkot:2 angkutan:2 ojek:1.5
        penumpang:3 terminal:2 bus:2 bis:1.5 lalu_lintas:2 lalin:2 angkutan_umum:1
    """,
}
