# ruff: noqa: RUF001 - Japanese prose is written with full-width brackets.
"""The demo world that `python manage.py load_demo` builds, as plain data in one place.

Every name, company and e-mail address is invented (``.example`` is a reserved domain).
Later parts add their own sections here (incidents, threads, minutes, materials) and a
loader step in `portal/management/commands/load_demo.py`.

Dates of meetings are given as (month, day) inside the current fiscal year, so the demo
always shows a year that has begun: some meetings held, some still to come.
"""

ADMIN = {
    "email": "admin@renkei.example",
    "display_name": "Renkei 管理者",
    "language": "ja",
}

ORGANIZATIONS = [
    {"slug": "hikari-bank", "name": "ひかり銀行", "name_en": "Hikari Bank",
     "sector": "finance"},
    {"slug": "minato-trust", "name": "みなと信託銀行", "name_en": "Minato Trust Bank",
     "sector": "finance"},
    {"slug": "kaede-securities", "name": "かえで証券", "name_en": "Kaede Securities",
     "sector": "finance"},
    {"slug": "tsubasa-telecom", "name": "つばさテレコム", "name_en": "Tsubasa Telecom",
     "sector": "ict"},
    {"slug": "nami-networks", "name": "なみネットワークス", "name_en": "Nami Networks",
     "sector": "ict"},
    {"slug": "kagami-security", "name": "カガミセキュリティ研究所",
     "name_en": "Kagami Security Labs", "sector": "security_vendor"},
    {"slug": "yamato-electric", "name": "ヤマト電機", "name_en": "Yamato Electric",
     "sector": "manufacturing"},
    {"slug": "cyber-policy-office", "name": "国家サイバー政策室",
     "name_en": "National Cyber Policy Office", "sector": "government"},
    {"slug": "hokuto-university", "name": "北都大学", "name_en": "Hokuto University",
     "sector": "education"},
]

COMMUNITIES = [
    {
        "slug": "security-study",
        "kind": "study_group",
        "name": "セキュリティ対策研究会",
        "name_en": "Security Practice Study Group",
        "description": (
            "製造・金融・通信の実務担当者が集まり、自社の対策を持ち寄って議論する研究会です。"
            "年6回、本社会議室とオンラインの併用で開催します。"
        ),
        "requires_approval": False,
        "amber_titles_in_email": False,
        "agreement_title": "研究会参加規約（秘密保持）",
        "agreement_extra": (
            "会合での発言は、発言者の了承なく、所属組織名とともに外部へ引用しない。"
            "発表資料は発表者が公開を認めたものに限り、会員以外に配付できる。"
        ),
    },
    {
        "slug": "cyber-council",
        "kind": "council",
        "name": "サイバーセキュリティ政策分科会",
        "name_en": "Cyber Security Policy Council",
        "description": (
            "有識者の構成員と関係省庁のオブザーバーが、官民の情報共有と人材育成の方向性を"
            "検討する分科会です。議事要旨は事務局が取りまとめて公表します。"
        ),
        "requires_approval": False,
        "amber_titles_in_email": False,
        "agreement_title": "分科会資料の取扱いについて",
        "agreement_extra": (
            "「非公開」と表示された配付資料は、構成員およびオブザーバーの所属組織内での検討に"
            "限って用い、複製・転送しない。"
        ),
    },
    {
        "slug": "fin-isac",
        "kind": "isac",
        "name": "金融ISAC",
        "name_en": "Financial ISAC",
        "description": (
            "銀行・信託・証券の会員が、攻撃の手口と痕跡情報を TLP に従って共有する場です。"
            "新しい会員は事務局の承認を経て参加します。"
        ),
        "requires_approval": True,
        "amber_titles_in_email": False,
        "agreement_title": "情報取扱規程",
        "agreement_extra": "",
    },
    {
        "slug": "ict-isac",
        "kind": "isac",
        "name": "ICT-ISAC",
        "name_en": "ICT-ISAC",
        "description": (
            "通信事業者とセキュリティベンダーが、観測網で捉えた攻撃と対処の経験を共有し、"
            "同じ攻撃が他社でも観測されているかを照らし合わせる場です。"
        ),
        "requires_approval": False,
        "amber_titles_in_email": True,
        "agreement_title": "情報取扱規程",
        "agreement_extra": "",
    },
]

# The handling rules every community asks its members to accept before they see anything.
# {name} is the community's name; {extra} a clause of its own (may be empty).
AGREEMENT_BODY = """\
## {name} {title}

**第1条（目的）** 本規程は、{name}（以下「本会」）で共有される情報の扱い方を定め、会員が
ためらわずに情報を出せる場を保つことを目的とする。

**第2条（対象）** ポータル、会合、メールその他の手段で本会に共有された情報のすべて
（攻撃技術情報、痕跡情報、分析結果、会合資料、議事の記録を含む）を対象とする。

**第3条（TLP）**

1. 提供者は、情報ごとに TLP:CLEAR、TLP:GREEN、TLP:AMBER、TLP:AMBER+STRICT、TLP:RED の
   いずれかを付す。
2. 受領者は、付された TLP が許す範囲の外へ情報を渡してはならない。範囲に迷うときは、
   提供者または事務局に確かめるまで渡さない。

**第4条（被害組織を守る）** 受領者は、共有された情報から提供者や被害組織を割り出そうと
してはならない。提供者は、自組織を特定しうるメールアドレス、ホスト名、内部 IP アドレス等を
共有の前に取り除くよう努める。

**第5条（利用目的）** 共有された情報は、自組織とその顧客を守る目的に限って用いる。営業、
広報、紛争その他の目的には用いない。

**第6条（事務局経由の提供）** 提供者は、提供元を伏せたまま事務局を通じて情報を共有する
ことができる。事務局は提供元を他の会員に明かさない。

**第7条（活用結果の還元）** 受領者は、共有された情報をもとに講じた対処（遮断、注意喚起、
テイクダウン等）を、差し支えない範囲で本会に知らせる。

**第8条（存続）** 本規程による義務は、資格の停止または退会の後も存続する。

**第9条（違反）** 事務局は、本規程に反した会員の資格を停止することができる。
{extra}"""

# Added to the body when a community has a clause of its own ("agreement_extra").
AGREEMENT_EXTRA_CLAUSE = "\n**第10条（会合と資料）** {extra}\n"

FEDERATIONS = [
    {
        "slug": "isac-liaison",
        "name": "ISAC連絡会",
        "name_en": "Inter-ISAC Liaison Group",
        "coordinator": "ict-isac",
        "communities": ["fin-isac", "ict-isac"],
        "liaisons": ["matsumoto@hikari-bank.example", "ogawa@nami-networks.example"],
    },
]

# Each user: who they are, and each membership as (community, organisation, role, status).
# Together they cover every role and every status at least once.
USERS = [
    {"email": "sato@yamato-electric.example", "display_name": "佐藤 健一",
     "memberships": [("security-study", "yamato-electric", "chair", "active")]},
    {"email": "ito@yamato-electric.example", "display_name": "伊藤 美咲",
     "digest_frequency": "daily",
     "memberships": [("security-study", "yamato-electric", "secretariat", "active")]},
    {"email": "tanaka@hikari-bank.example", "display_name": "田中 浩",
     "memberships": [("security-study", "hikari-bank", "member", "active"),
                     ("cyber-council", "hikari-bank", "member", "active"),
                     ("fin-isac", "hikari-bank", "member", "active")]},
    {"email": "suzuki@tsubasa-telecom.example", "display_name": "鈴木 由美",
     "memberships": [("security-study", "tsubasa-telecom", "member", "active"),
                     ("ict-isac", "tsubasa-telecom", "member", "active")]},
    {"email": "kobayashi@kagami-security.example", "display_name": "小林 誠",
     "memberships": [("security-study", "kagami-security", "advisor", "active"),
                     ("cyber-council", "kagami-security", "guest", "active"),
                     ("fin-isac", "kagami-security", "advisor", "active"),
                     ("ict-isac", "kagami-security", "advisor", "active")]},
    {"email": "watanabe@kaede-securities.example", "display_name": "渡辺 翔",
     "memberships": [("security-study", "kaede-securities", "observer", "active"),
                     ("cyber-council", "kaede-securities", "observer", "active")]},
    {"email": "emily.clark@kagami-security.example", "display_name": "Emily Clark",
     "language": "en", "time_zone": "Asia/Singapore",
     "memberships": [("security-study", "kagami-security", "guest", "active")]},
    {"email": "nakamura@minato-trust.example", "display_name": "中村 隆",
     "memberships": [("security-study", "minato-trust", "member", "awaiting_agreement"),
                     ("fin-isac", "minato-trust", "member", "active")]},
    {"email": "kato@hokuto-university.example", "display_name": "加藤 直樹",
     "memberships": [("cyber-council", "hokuto-university", "chair", "active")]},
    {"email": "yoshida@cyber-policy-office.example", "display_name": "吉田 亜紀",
     "memberships": [("cyber-council", "cyber-policy-office", "secretariat", "active")]},
    {"email": "hayashi@cyber-policy-office.example", "display_name": "林 直子",
     "digest_frequency": "off",
     "memberships": [("cyber-council", "cyber-policy-office", "observer", "active"),
                     ("fin-isac", "cyber-policy-office", "observer", "active"),
                     ("ict-isac", "cyber-policy-office", "observer", "active")]},
    {"email": "mori@nami-networks.example", "display_name": "森 大輔",
     "memberships": [("cyber-council", "nami-networks", "member", "active"),
                     ("ict-isac", "nami-networks", "member", "active")]},
    {"email": "kimura@tsubasa-telecom.example", "display_name": "木村 拓也",
     "memberships": [("cyber-council", "tsubasa-telecom", "member", "invited")]},
    {"email": "matsumoto@hikari-bank.example", "display_name": "松本 恵",
     "digest_frequency": "daily",
     "memberships": [("fin-isac", "hikari-bank", "secretariat", "active")]},
    {"email": "okada@kaede-securities.example", "display_name": "岡田 亮",
     "memberships": [("fin-isac", "kaede-securities", "member", "active")]},
    {"email": "shimizu@kaede-securities.example", "display_name": "清水 舞",
     "memberships": [("fin-isac", "kaede-securities", "member", "pending_approval")]},
    {"email": "inoue@minato-trust.example", "display_name": "井上 剛",
     "memberships": [("fin-isac", "minato-trust", "member", "suspended")]},
    {"email": "yamada@hikari-bank.example", "display_name": "山田 聡",
     "memberships": [("fin-isac", "hikari-bank", "member", "left")]},
    {"email": "ogawa@nami-networks.example", "display_name": "小川 純",
     "language": "en",
     "memberships": [("ict-isac", "nami-networks", "secretariat", "active")]},
    {"email": "ueda@tsubasa-telecom.example", "display_name": "上田 浩二",
     "memberships": [("ict-isac", "tsubasa-telecom", "chair", "active")]},
    {"email": "fujita@tsubasa-telecom.example", "display_name": "藤田 雅人",
     "memberships": [("ict-isac", "tsubasa-telecom", "member", "awaiting_agreement")]},
]

# One fiscal year of meetings per community. "summary" is only written for meetings that
# are over when the demo is loaded; upcoming meetings have none yet.
MEETING_SERIES = [
    {
        "community": "security-study",
        "title": "働き方の変化とセキュリティ",
        "title_en": "Security for new ways of working",
        "purpose": (
            "在宅勤務とクラウド利用が当たり前になり、社内ネットワークの境界だけを固める"
            "やり方では足りなくなった。今年度は、働き方の変化を止めずに情報資産を守るには何をどこまで"
            "やればよいかを、参加企業の実例とアドバイザーの知見をもとに考える。\n\n"
            "- 各社の取組みを持ち寄り、すぐに使える対策を持ち帰る\n"
            "- 年度末に活動報告をまとめ、参加者の感想を次年度の企画に生かす\n"
        ),
        "meetings": [
            {
                "number": 1, "date": (5, 22), "time": ("15:00", "17:00"),
                "location": "ヤマト電機 本社 会議室A（オンライン併用）",
                "online_url": "https://meet.renkei.example/security-study/1",
                "title": "テレワーク環境の総点検 — 自宅から社内システムまでの経路を見直す",
                "title_en": "Telework security, end to end: from the home router to the office",
                "presenters": "小林 誠（カガミセキュリティ研究所）",
                "summary": (
                    "家庭用ルーターの更新漏れ、VPN 装置の脆弱性、私物端末での業務利用の3点を"
                    "中心に、各社の点検結果を共有した。\n\n"
                    "- VPN 装置の修正プログラム適用が数か月遅れていた例が複数あった。\n"
                    "- 不審なメールに気づいた社員が、まず上司に相談して報告が半日遅れた例が"
                    "紹介された。**異変はまずインシデント窓口へ**、を社内に徹底する必要がある。\n"
                    "- アドバイザーから、在宅勤務者向けの点検項目を1枚にまとめる案が出された。"
                ),
            },
            {
                "number": 2, "date": (7, 17), "time": ("15:00", "17:00"),
                "location": "",
                "online_url": "https://meet.renkei.example/security-study/2",
                "title": "ゼロトラストへの移行 — 境界防御の次に何をするか",
                "title_en": "Moving to zero trust: what comes after the perimeter",
                "presenters": "鈴木 由美（つばさテレコム）",
                "summary": (
                    "ID 基盤の統合と端末の健全性確認から始めた事例を聞いた。\n\n"
                    "- 製品を入れることが目的化しやすい。守りたい業務と情報から逆算すること。\n"
                    "- 多要素認証の例外運用が残ると、そこが狙われる。例外の棚卸しを定期的に行う。"
                ),
            },
            {
                "number": 3, "date": (9, 18), "time": ("15:00", "17:00"),
                "location": "ひかり銀行 研修センター",
                "online_url": "",
                "title": "サプライチェーンリスク — 委託先と海外子会社をどう管理するか",
                "title_en": "Supply-chain risk: managing contractors and overseas subsidiaries",
                "presenters": "田中 浩（ひかり銀行）",
                "summary": (
                    "委託先経由の侵入を想定し、契約・監査・技術の三方面から管理策を検討した。\n\n"
                    "- 委託先へのチェックシートは回答の正しさを確かめる手段がないと形骸化する。\n"
                    "- 海外子会社は現地の法規制と本社の基準の差を一覧にしておくとよい。"
                ),
            },
            {
                "number": 4, "date": (11, 13), "time": ("15:00", "17:30"),
                "location": "ヤマト電機 本社 会議室A",
                "online_url": "https://meet.renkei.example/security-study/4",
                "title": "インシデント対応訓練 — 机上演習の設計と振り返り方",
                "title_en": "Incident response drills: designing a tabletop and learning from it",
                "presenters": "伊藤 美咲（ヤマト電機）\nEmily Clark（Kagami Security Labs）",
                "summary": (
                    "経営層を巻き込んだ机上演習のシナリオ作りと、振り返りの進め方を議論した。\n\n"
                    "- 訓練の目的は手順書の正しさの確認ではなく、判断に迷う点を見つけること。\n"
                    "- 広報・法務を最初から参加させると、公表判断の遅れが見えてくる。"
                ),
            },
            {
                "number": 5, "date": (1, 22), "time": ("15:00", "17:00"),
                "location": "",
                "online_url": "https://meet.renkei.example/security-study/5",
                "title": "サイバー諜報への備え — 攻撃者の意図と段階を読む",
                "title_en": "Preparing for cyber espionage: reading intent and stage",
                "presenters": "小林 誠（カガミセキュリティ研究所）",
                "summary": (
                    "金銭目的・破壊目的の攻撃と、情報窃取を狙う諜報活動との違いを、"
                    "MITRE ATT&CK の戦術に沿って整理した。\n\n"
                    "- 諜報型は長期間潜伏するため、侵入の痕跡より横展開の兆候に注目する。\n"
                    "- 自社が狙われる理由（技術、取引先、人）を言葉にしておくと優先順位が決まる。"
                ),
            },
            {
                "number": 6, "date": (3, 12), "time": ("15:00", "17:30"),
                "location": "ヤマト電機 本社 大会議室（オンライン併用）",
                "online_url": "https://meet.renkei.example/security-study/6",
                "title": "ランサムウェア机上演習と年間の振り返り",
                "title_en": "Ransomware tabletop exercise and a look back at the year",
                "presenters": "佐藤 健一（ヤマト電機）",
                "summary": (
                    "バックアップまで暗号化された想定で、復旧の優先順位と身代金要求への"
                    "対応方針を班ごとに検討した。後半は1年間の活動を振り返り、次年度の"
                    "テーマ案を集めた。\n\n"
                    "- オフラインのバックアップから実際に戻す訓練をした会社は少数だった。\n"
                    "- 次年度の希望として、生成 AI の業務利用と OT 環境の防御が多く挙がった。"
                ),
            },
        ],
    },
    {
        "community": "cyber-council",
        "title": "サイバーセキュリティ政策分科会",
        "title_en": "Cyber Security Policy Council",
        "purpose": (
            "官民の情報共有の仕組みと、それを担う人材の育成について、構成員の知見を集めて"
            "検討し、年度末に論点を取りまとめる。"
        ),
        "meetings": [
            {
                "number": 1, "date": (6, 10), "time": ("13:00", "15:00"),
                "location": "WEB開催",
                "online_url": "https://meet.renkei.example/cyber-council/1",
                "title": "最近の攻撃の動向と分科会の進め方",
                "title_en": "Recent attack trends and how the council will work",
                "presenters": (
                    "吉田 亜紀（国家サイバー政策室 事務局）\n小林 誠（カガミセキュリティ研究所）"
                ),
                "summary": (
                    "事務局から分科会の開催要綱と検討事項を説明し、発表者から直近の攻撃動向を"
                    "紹介した。構成員からは、中小企業に届く情報提供の形を検討すべきとの意見が"
                    "あった。"
                ),
            },
            {
                "number": 2, "date": (10, 7), "time": ("13:00", "15:00"),
                "location": "WEB開催",
                "online_url": "https://meet.renkei.example/cyber-council/2",
                "title": "ISAC 間の情報共有と観測網の活用",
                "title_en": "Sharing across ISACs and making use of shared sensors",
                "presenters": "森 大輔（なみネットワークス）",
                "summary": (
                    "観測網で捉えた攻撃元を会員間で照合し、被害が自社だけでないことを確認できる"
                    "仕組みが紹介された。構成員からは、提供元が特定されない形で共有を広げる"
                    "工夫について質問があり、事務局経由の匿名提供で対応しているとの回答があった。"
                ),
            },
        ],
    },
]
