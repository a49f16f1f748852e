"""The demo world that `python manage.py load_demo` builds, as plain data in one place.

Every name, company and e-mail address is invented (``.example`` is a reserved domain).
Later parts add their own sections here (incidents, threads, minutes, materials) and a
loader step in `portal/management/commands/load_demo.py`.

Dates of meetings are given as (month, day) inside the current fiscal year, so the demo
always shows a year that has begun: some meetings held, some still to come.
"""

import hashlib

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


# --- ISAC content: incidents and threads under every TLP label ----------------------------------
#
# Written for the demo (no sentence is taken from a real report). Each item is created through
# the services (`apps.incidents.services`, `apps.discussions.services`), exactly as a member
# would share it; "key" names it for a stable UUID5, so a rerun finds the same item.
# Audience: "organizations" (slugs) or "exclude" (slugs left out of the default, every member
# organisation) for AMBER / AMBER+STRICT, "users" (e-mails) for RED, "federated" for GREEN /
# CLEAR. "detected" and "occurred" are days before the demo is loaded.
# Attacker infrastructure uses reserved names and documentation addresses (RFC 2606, 5737).


def _demo_hash(name: str) -> str:
    """A SHA-256 that belongs to no real file: the hash of the sample's demo name."""
    return hashlib.sha256(f"renkei-demo:{name}".encode()).hexdigest()


INCIDENTS = [
    # --- 金融ISAC ---
    {
        "key": "fin-smishing-bank", "community": "fin-isac",
        "author": "tanaka@hikari-bank.example", "tlp": "CLEAR",
        "title": "銀行を名乗るSMSで偽ログイン画面へ誘導、ワンタイムパスワードまで詐取",
        "summary": (
            "今週に入り、当行の名前をかたるSMSが個人のお客さまに大量に届いています。"
            "「お取引を一時制限しました」「本人確認をお願いします」と不安をあおり、"
            "短縮URLから当行によく似たログイン画面へ誘導する手口です。\n\n"
            "- 契約者番号とパスワードを入力させた直後に、ワンタイムパスワードの入力も求めます。\n"
            "- 偽サイトは数時間ごとにドメインを替えており、ブロックリストだけでは追いつきません。\n"
            "- 当行はSMSでログイン画面へのリンクを送りません。各社の顧客向け注意喚起に"
            "そのままお使いください。"
        ),
        "category": "phishing", "intent": "money", "status": "investigating",
        "sectors": ["finance"], "attack_stage": "credential-access",
        "techniques": ["T1566.002", "T1598.003", "T1583.001"],
        "detected": 3, "occurred": 4,
        "indicators": [
            {"type": "url", "value": "hxxps://hikari-login-verify[.]example/auth/",
             "note": "SMS本文の短縮URLの転送先"},
            {"type": "domain", "value": "hikari-login-verify[.]example"},
            {"type": "domain", "value": "hikari-kakunin[.]example",
             "note": "翌日に切り替わった偽サイト"},
        ],
        "sightings": [
            {"by": "nakamura@minato-trust.example", "show_organization": True,
             "note": "当社の名前に差し替えた同じ型のSMSが届いています。"},
        ],
        "feedback": [
            {"by": "okada@kaede-securities.example", "action": "warned_staff",
             "note": "コールセンター向けに問い合わせ対応の要領を配りました。"},
            {"by": "nakamura@minato-trust.example", "action": "passed_to_clients",
             "note": "お客さま向けサイトに注意喚起を掲載しました。"},
        ],
        "views": ["okada@kaede-securities.example", "nakamura@minato-trust.example"],
    },
    {
        "key": "fin-ddos-online-banking", "community": "fin-isac",
        "author": "tanaka@hikari-bank.example", "tlp": "GREEN", "federated": True,
        "title": "インターネットバンキングへのDDoS攻撃、約40分ログインが遅延",
        "summary": (
            "平日朝9時台、インターネットバンキングのログイン画面に大量のHTTPリクエストが集中し、"
            "約40分にわたって応答が遅くなりました。\n\n"
            "- ピーク時のリクエスト数は平常時の約60倍。送信元は海外のクラウド事業者と、"
            "乗っ取られたIoT機器と見られるアドレスに散らばっていました。\n"
            "- 上流の通信事業者と連携したフィルタリングと、CDNのレート制限で収まりました。\n"
            "- 前日にSNSで犯行を予告する投稿があり、他の金融機関も名指しされています。"
            "通信事業者側の観測と突き合わせたいので、連絡会にも共有します。"
        ),
        "category": "ddos", "intent": "disruption", "status": "resolved",
        "sectors": ["finance"], "attack_stage": "impact",
        "techniques": ["T1498.001", "T1499.002"],
        "detected": 12, "occurred": 12,
        "indicators": [
            {"type": "ipv4", "value": "203.0.113.45", "note": "攻撃を指示したと見られる送信元"},
            {"type": "ipv4", "value": "198.51.100.23"},
            {"type": "ipv4", "value": "198.51.100.77"},
        ],
        "sightings": [
            {"by": "okada@kaede-securities.example", "show_organization": False,
             "note": "同じ日の同じ時間帯に、当社の取引サイトにも小規模な集中がありました。"},
            {"by": "suzuki@tsubasa-telecom.example", "indicator": "203.0.113.45",
             "show_organization": True,
             "note": "当社の観測網でも、このアドレスからの大量の通信を捉えています。"},
        ],
        "feedback": [
            {"by": "nakamura@minato-trust.example", "action": "blocked",
             "note": "送信元アドレスをWAFで遮断しました。"},
            {"by": "mori@nami-networks.example", "action": "hunted",
             "note": "顧客回線のフローを確認し、同じ送信元からの通信を上流で抑止しました。"},
        ],
        "views": ["okada@kaede-securities.example", "nakamura@minato-trust.example",
                  "suzuki@tsubasa-telecom.example"],
    },
    {
        "key": "fin-bec-treasury", "community": "fin-isac",
        "author": "nakamura@minato-trust.example", "tlp": "GREEN",
        "title": "財務部門を狙ったビジネスメール詐欺：取引先を装い振込口座の変更を依頼",
        "summary": (
            "海外の取引先担当者になりすましたメールが財務部門に届き、「監査対応のため今月から"
            "振込口座を変更する」として新しい口座への送金を求めてきました。\n\n"
            "- 送信元は取引先のドメインの1文字を数字に替えた類似ドメインで、過去のやり取りの件名と"
            "署名がそのまま引用されていました。取引先側のメールアカウントが乗っ取られている"
            "可能性があります。\n"
            "- 登録済みの電話番号への折り返し確認で、送金の前に気づきました。金銭の被害は"
            "ありません。\n"
            "- 指標のメールアドレスは攻撃者が用意したもので、当社や取引先の社員のものでは"
            "ないことを確認のうえ共有します。"
        ),
        "category": "bec", "intent": "money", "status": "contained",
        "sectors": ["finance"], "attack_stage": "initial-access",
        "techniques": ["T1656", "T1583.001", "T1585.002"],
        "detected": 20, "occurred": 21,
        "indicators": [
            {"type": "email", "value": "billing@nordfie1d-trading[.]example",
             "note": "類似ドメインの送信元（攻撃者が取得）"},
            {"type": "domain", "value": "nordfie1d-trading[.]example"},
        ],
        # A real analyst confirms this one: the attacker's own look-alike sender, not a victim.
        "confirmed_exposures": ["billing@nordfie1d-trading.example"],
        "sightings": [
            {"by": "okada@kaede-securities.example", "show_organization": False,
             "note": "同じ類似ドメインから、請求書の再送を装ったメールを1通受信しました。"},
        ],
        "feedback": [
            {"by": "tanaka@hikari-bank.example", "action": "hunted",
             "note": "過去3か月のメール受信記録を検索しました。該当はありません。"},
            {"by": "okada@kaede-securities.example", "action": "warned_staff"},
        ],
        "views": ["tanaka@hikari-bank.example", "okada@kaede-securities.example"],
    },
    {
        "key": "fin-ransomware-subsidiary", "community": "fin-isac",
        "author": "okada@kaede-securities.example", "tlp": "AMBER",
        "exclude": ["cyber-policy-office", "minato-trust"],
        "title": "子会社でランサムウェア被害：VPN機器から侵入され、ファイルサーバーが暗号化",
        "summary": (
            "システム運用を担う国内の子会社で、ファイルサーバーと業務端末の一部が暗号化されました。"
            "親会社のネットワークとは分けてあり、現時点で顧客情報の流出は確認されていません。\n\n"
            "- 侵入口は、修正プログラムを当てていなかったVPN機器と見ています。"
            "正規の認証情報が事前に盗まれていた可能性があります。\n"
            "- 暗号化の前に、バックアップの削除とシャドウコピーの無効化が行われていました。\n"
            "- 脅迫文はリークサイトへの掲載をほのめかしています。身代金には応じない方針です。\n\n"
            "調査中のため、被害組織が分かる情報は伏せています。"
        ),
        "category": "ransomware", "intent": "money", "status": "investigating",
        "sectors": ["finance"], "attack_stage": "impact",
        "techniques": ["T1133", "T1078", "T1490", "T1486", "T1567.002"],
        "detected": 6, "occurred": 9,
        "indicators": [
            {"type": "ipv4", "value": "198.51.100.140", "note": "VPNへの接続元"},
            {"type": "sha256", "value": _demo_hash("fin-ransomware-encryptor"),
             "note": "暗号化プログラム"},
            {"type": "filename", "value": "RESTORE-MY-FILES.txt", "note": "脅迫文"},
        ],
        "sightings": [
            {"by": "tanaka@hikari-bank.example", "indicator": "198.51.100.140",
             "show_organization": False,
             "note": "当行のVPNにも同じアドレスからログインの試みがありました（失敗）。"},
        ],
        "feedback": [
            {"by": "tanaka@hikari-bank.example", "action": "blocked"},
            {"by": "kobayashi@kagami-security.example", "action": "hunted",
             "note": "監視中のお客さま環境で、同じ暗号化プログラムの痕跡を探しました。"},
        ],
        "views": ["tanaka@hikari-bank.example", "kobayashi@kagami-security.example"],
    },
    {
        "key": "fin-it-vendor-remote-maintenance", "community": "fin-isac",
        "author": "tanaka@hikari-bank.example", "tlp": "AMBER+STRICT",
        "organizations": ["hikari-bank", "kagami-security"],
        "title": "ITベンダーの保守用リモート接続を経由した不正アクセスの疑い",
        "summary": (
            "業務システムの保守を委託しているITベンダーで、保守作業に使うリモート接続ツールの"
            "アカウントが不正に使われた形跡が見つかりました。このベンダーは複数の金融機関を"
            "担当しています。\n\n"
            "- 深夜帯に、作業予定にない接続が3回ありました。接続元はベンダーの拠点ではなく、"
            "海外の仮想専用サーバーでした。\n"
            "- 当行側では踏み台の端末で不審なPowerShellの実行を確認しましたが、それより先への"
            "横展開は見つかっていません。\n"
            "- ベンダー名は、同じベンダーを使う会員からの照会に個別にお答えします。"
            "組織内に限って扱い、顧客や委託先には伝えないでください。"
        ),
        "category": "supply_chain", "intent": "unknown", "status": "investigating",
        "sectors": ["finance"], "attack_stage": "execution",
        "techniques": ["T1199", "T1133", "T1059.001"],
        "detected": 2, "occurred": 5,
        "indicators": [
            {"type": "ipv4", "value": "203.0.113.201", "note": "保守用アカウントでの接続元"},
        ],
        "feedback": [
            {"by": "kobayashi@kagami-security.example", "action": "hunted",
             "note": "同じリモート接続ツールを使うお客さまの接続記録を確認しています。"},
        ],
        "views": ["kobayashi@kagami-security.example"],
    },
    {
        "key": "fin-targeted-lecture-invitation", "community": "fin-isac",
        "author": "matsumoto@hikari-bank.example", "tlp": "RED",
        "users": ["kobayashi@kagami-security.example", "okada@kaede-securities.example",
                  "inoue@minato-trust.example"],
        "title": "講演依頼を装う標的型メール：添付ZIPの中に文書を装ったLNKファイル",
        "summary": (
            "国際金融の研究会の事務局を名乗り、役員への講演を依頼するメールが届きました。"
            "添付のパスワード付きZIPを展開すると文書に見せかけたショートカット（LNK）が現れ、"
            "開くとPowerShellで追加の不正プログラムを取り寄せます（T1566.001）。\n\n"
            "- 文面は自然な日本語で、実在する研究会の過去の案内をなぞっていました。\n"
            "- 通信先には正規のクラウドストレージが使われ、宛先の遮断だけでは防ぎにくい作りです。\n"
            "- 金融政策の動向や役員の日程に関心を示しており、金銭ではなく情報収集が目的と"
            "見ています。\n\n"
            "調査が続いているため、宛先を限ってお知らせします。"
        ),
        "category": "targeted_attack", "intent": "espionage", "status": "investigating",
        "sectors": ["finance", "government"], "attack_stage": "command-and-control",
        "techniques": ["T1566.001", "T1204.002", "T1059.001", "T1071.001", "T1567.002"],
        "detected": 1, "occurred": 2,
        "indicators": [
            {"type": "filename", "value": "講演のご依頼_詳細.pdf.lnk"},
            {"type": "sha256", "value": _demo_hash("fin-lnk-loader"), "note": "LNKファイル"},
            {"type": "domain", "value": "cdn-update-check[.]example", "note": "追加取得の通信先"},
        ],
        "feedback": [
            {"by": "okada@kaede-securities.example", "action": "hunted",
             "note": "役員宛てのメールを遡って確認しました。同じ添付はありません。"},
        ],
        "views": ["kobayashi@kagami-security.example", "okada@kaede-securities.example"],
    },
    {
        "key": "fin-banking-trojan-corporate", "community": "fin-isac",
        "author": "nakamura@minato-trust.example", "tlp": "GREEN", "anonymous": True,
        "title": "法人向けネットバンキングの利用者を狙う不正送金マルウェアの配布",
        "summary": (
            "法人のお客さまの経理担当者宛てに、請求書を装ったメールで不正送金マルウェアが"
            "ばらまかれています。感染した端末でネットバンキングにログインすると、画面に偽の"
            "入力欄が差し込まれ、承認用の情報が盗まれます。\n\n"
            "- 件名は「請求書送付のご案内」「お支払い期日のお知らせ」など、月末に多いものです。\n"
            "- 被害に遭ったお客さまが特定されるおそれがあるため、事務局経由で共有します。"
        ),
        "category": "fraud", "intent": "money", "status": "investigating",
        "sectors": ["finance"], "attack_stage": "credential-access",
        "techniques": ["T1566.001", "T1204.002", "T1185", "T1657"],
        "detected": 8, "occurred": 10,
        "indicators": [
            {"type": "url", "value": "hxxp://invoice-portal-jp[.]example/dl/seikyu.zip"},
            {"type": "sha256", "value": _demo_hash("fin-banking-trojan")},
        ],
        "sightings": [
            {"by": "tanaka@hikari-bank.example", "show_organization": True,
             "note": "当行の法人のお客さまからも、同じ件名のメールの問い合わせがありました。"},
        ],
        "feedback": [
            {"by": "okada@kaede-securities.example", "action": "blocked"},
        ],
        "views": ["tanaka@hikari-bank.example", "okada@kaede-securities.example"],
    },
    # --- ICT-ISAC ---
    {
        "key": "ict-router-login-surge", "community": "ict-isac",
        "author": "mori@nami-networks.example", "tlp": "CLEAR", "federated": True,
        "title": "観測網で家庭用ルーターを狙うログイン試行が急増（Telnet・SSH）",
        "summary": (
            "共有観測網のセンサーで、先週末から Telnet と SSH へのログイン試行が平常時の"
            "約5倍に増えています。初期設定のままのユーザー名とパスワードの組み合わせを順に"
            "試す動きで、乗っ取られた機器はDDoSの踏み台に使われる傾向があります。\n\n"
            "- 送信元の多くは海外の家庭用回線です。\n"
            "- 機器の初期パスワードの変更と、使っていない遠隔管理機能の停止を呼びかけてください。"
        ),
        "category": "other", "intent": "disruption", "status": "investigating",
        "sectors": ["ict"], "attack_stage": "initial-access",
        "techniques": ["T1110.001", "T1595.002", "T1078"],
        "detected": 4, "occurred": 7,
        "indicators": [
            {"type": "ipv4", "value": "192.0.2.66"},
            {"type": "ipv4", "value": "198.51.100.9"},
        ],
        "feedback": [
            {"by": "suzuki@tsubasa-telecom.example", "action": "blocked",
             "note": "顧客向けルーターの管理ポートへの外部アクセスを止めました。"},
            {"by": "okada@kaede-securities.example", "action": "warned_staff",
             "note": "在宅勤務者に家庭用ルーターの点検を呼びかけました。"},
        ],
        "views": ["suzuki@tsubasa-telecom.example", "okada@kaede-securities.example"],
    },
    {
        "key": "ict-dns-reflection", "community": "ict-isac",
        "author": "suzuki@tsubasa-telecom.example", "tlp": "GREEN", "federated": True,
        "title": "DNSリフレクションによるDDoS攻撃、金融機関の公開サイトも標的に",
        "summary": (
            "当社の顧客回線に向けて、オープンリゾルバを悪用したDNSリフレクション攻撃を"
            "観測しました。標的には金融機関の公開ウェブサイトも含まれるため、連絡会を通じて"
            "金融ISACにも共有します。\n\n"
            "- 最大で約30Gbps、1回10〜20分の攻撃が断続的に続きました。\n"
            "- 攻撃の指示に使われたと見られるアドレスは、金融ISACで報告されたDDoSの送信元と"
            "一致します。"
        ),
        "category": "ddos", "intent": "disruption", "status": "contained",
        "sectors": ["ict", "finance"], "attack_stage": "impact",
        "techniques": ["T1498.002"],
        "detected": 11, "occurred": 11,
        "indicators": [
            {"type": "ipv4", "value": "203.0.113.45"},
            {"type": "ipv4", "value": "203.0.113.88"},
        ],
        "sightings": [
            {"by": "tanaka@hikari-bank.example", "show_organization": True,
             "note": "当行への攻撃と同じ送信元です。"},
        ],
        "feedback": [
            {"by": "mori@nami-networks.example", "action": "blocked"},
            {"by": "tanaka@hikari-bank.example", "action": "hunted"},
        ],
        "views": ["mori@nami-networks.example", "tanaka@hikari-bank.example"],
    },
    {
        "key": "ict-sslvpn-cve", "community": "ict-isac",
        "author": "ueda@tsubasa-telecom.example", "tlp": "GREEN",
        "title": "SSL-VPN機器の既知の脆弱性（CVE-2024-21762）を突く侵入の試み",
        "summary": (
            "公開済みの脆弱性を突くリクエストが、当社が管理する複数の SSL-VPN 機器に届いて"
            "います。修正版を当てた機器では失敗していますが、未適用の機器では設定ファイルの"
            "窃取を狙う動きがありました。\n\n"
            "- 攻撃は日本時間の深夜から早朝に集中しています。\n"
            "- 機器のログはすぐ上書きされるため、外部のログ基盤へ転送しておくことを勧めます。"
        ),
        "category": "vulnerability_exploitation", "intent": "unknown", "status": "contained",
        "sectors": ["ict"], "attack_stage": "initial-access",
        "techniques": ["T1190", "T1133"],
        "detected": 15, "occurred": 16,
        "indicators": [
            {"type": "cve", "value": "CVE-2024-21762"},
            {"type": "ipv4", "value": "198.51.100.201"},
        ],
        "sightings": [
            {"by": "mori@nami-networks.example", "show_organization": False},
        ],
        "feedback": [
            {"by": "mori@nami-networks.example", "action": "found_hit",
             "note": "修正未適用の機器1台で痕跡が見つかり、切り離しました。"},
        ],
        "views": ["mori@nami-networks.example"],
    },
    {
        "key": "ict-msp-account-compromise", "community": "ict-isac",
        "author": "mori@nami-networks.example", "tlp": "AMBER",
        "exclude": ["cyber-policy-office"],
        "title": "運用委託先の管理アカウントが侵害され、複数の顧客環境へ不正ログイン",
        "summary": (
            "ネットワーク運用を委託している事業者の管理アカウントが侵害され、その事業者が"
            "受け持つ複数の顧客環境に同じ認証情報でログインされました。当社環境では監視の"
            "ルールが働き、設定が変えられる前に遮断できました。\n\n"
            "- 侵害されたアカウントは多要素認証の対象から外されていました。\n"
            "- 同じ事業者に委託している会員は、委託先アカウントのログイン記録を確かめて"
            "ください。事業者名は個別にお伝えします。"
        ),
        "category": "supply_chain", "intent": "unknown", "status": "contained",
        "sectors": ["ict"], "attack_stage": "lateral-movement",
        "techniques": ["T1199", "T1078", "T1021.001"],
        "detected": 5, "occurred": 6,
        "indicators": [
            {"type": "ipv4", "value": "203.0.113.150"},
            {"type": "domain", "value": "msp-support-portal[.]example"},
        ],
        "sightings": [
            {"by": "suzuki@tsubasa-telecom.example", "show_organization": True,
             "note": "当社の委託先でも、同じ時間帯に不審なログインがありました。"},
        ],
        "feedback": [
            {"by": "suzuki@tsubasa-telecom.example", "action": "hunted"},
            {"by": "kobayashi@kagami-security.example", "action": "hunted"},
        ],
        "views": ["suzuki@tsubasa-telecom.example", "kobayashi@kagami-security.example"],
    },
    {
        "key": "ict-ransomware-overseas-subsidiary", "community": "ict-isac",
        "author": "suzuki@tsubasa-telecom.example", "tlp": "AMBER+STRICT",
        "organizations": ["tsubasa-telecom", "nami-networks"],
        "title": "海外子会社でランサムウェア感染、本社との接続を一時遮断",
        "summary": (
            "東南アジアの子会社で業務サーバーがランサムウェアに暗号化されました。本社とは"
            "専用線でつながっていたため、予防のため接続を止めています。\n\n"
            "- 侵入は、子会社の公開サーバーへのRDPのパスワード総当たりから始まったと見られます。\n"
            "- 使われたランサムウェアは、暗号化の前にデータをクラウドストレージへ持ち出す型です。\n"
            "- 組織内の対策の検討に限って共有します。顧客や取引先には伝えないでください。"
        ),
        "category": "ransomware", "intent": "money", "status": "investigating",
        "sectors": ["ict"], "attack_stage": "impact",
        "techniques": ["T1110.003", "T1021.001", "T1486", "T1567.002"],
        "detected": 3, "occurred": 4,
        "indicators": [
            {"type": "ipv4", "value": "198.51.100.171"},
            {"type": "sha256", "value": _demo_hash("ict-ransomware-encryptor")},
        ],
        "feedback": [
            {"by": "mori@nami-networks.example", "action": "hunted"},
        ],
        "views": ["mori@nami-networks.example"],
    },
    {
        "key": "ict-targeted-template-injection", "community": "ict-isac",
        "author": "ogawa@nami-networks.example", "tlp": "RED",
        "users": ["suzuki@tsubasa-telecom.example", "kobayashi@kagami-security.example",
                  "fujita@tsubasa-telecom.example"],
        "title": "通信政策の担当者を狙う標的型メール：会議資料を装う添付文書",
        "summary": (
            "通信政策を担当する社員宛てに、業界団体の会議資料を装ったメールが届きました"
            "（T1566.001）。添付のWord文書にマクロはありませんが、開くと外部のテンプレートを"
            "読み込み、不正なコードを実行させる作りです。\n\n"
            "- 送信者は実在する団体の職員名を名乗り、直前の会議の日程に合わせて送っていました。\n"
            "- 狙いは周波数政策や海外事業に関する資料と見られ、目的は情報収集と判断しています。\n"
            "- 攻撃者に気づかれないよう、調査が終わるまで宛先を限って共有します。"
        ),
        "category": "targeted_attack", "intent": "espionage", "status": "investigating",
        "sectors": ["ict", "government"], "attack_stage": "execution",
        "techniques": ["T1566.001", "T1221", "T1204.002"],
        "detected": 2, "occurred": 3,
        "indicators": [
            {"type": "domain", "value": "docs-share-center[.]example",
             "note": "外部テンプレートの取得先"},
            {"type": "sha256", "value": _demo_hash("ict-template-dropper")},
        ],
        "views": ["suzuki@tsubasa-telecom.example"],
    },
    {
        "key": "ict-infostealer-cloud-mail", "community": "ict-isac",
        "author": "mori@nami-networks.example", "tlp": "AMBER", "anonymous": True,
        "title": "情報窃取型マルウェアで盗まれた認証情報によるクラウドメールへの不正ログイン",
        "summary": (
            "社員の私物端末が情報窃取型マルウェアに感染し、ブラウザに保存されていた業務用"
            "クラウドメールの認証情報とセッション情報が盗まれました。その後、海外から多要素"
            "認証を経ずにログインされ、受信箱に転送ルールが追加されていました。\n\n"
            "- 私物端末での業務利用を認めていた部署で起きました。\n"
            "- 転送ルールが勝手に追加されていないか、各社でも確かめることを勧めます。\n"
            "- 被害組織が特定されないよう、事務局経由で共有します。"
        ),
        "category": "other", "intent": "money", "status": "contained",
        "sectors": ["ict"], "attack_stage": "collection",
        "techniques": ["T1555.003", "T1539", "T1114.003", "T1078"],
        "detected": 9, "occurred": 14,
        "indicators": [{"type": "ipv4", "value": "203.0.113.99", "note": "不正ログインの接続元"}],
        "feedback": [
            {"by": "ueda@tsubasa-telecom.example", "action": "hunted",
             "note": "全社のメールボックスの転送ルールを点検しました。"},
        ],
        "views": ["ueda@tsubasa-telecom.example", "kobayashi@kagami-security.example"],
    },
]

# Incidents of the two periods before the current one, so that the federation summary of the
# last period that ended (built at the end of load_demo) shows a trend: "period" 1 is the last
# two-month period that ended, 2 the one before; "day" is how many days into it the item was
# shared (its detection that day, its start the day before). Two ISACs report the same
# phishing domain in items shared with the federation (named in the summary) and the same
# address in items that stay in their ISAC (counted only).
EARLIER_INCIDENTS = [
    {
        "key": "fin-securities-phishing", "community": "fin-isac", "period": 1, "day": 9,
        "author": "okada@kaede-securities.example", "tlp": "GREEN", "federated": True,
        "title": "証券口座を狙うフィッシングメール：取引画面そっくりの偽ログインへ誘導",
        "summary": (
            "「不正な取引を検知したため口座を一時停止しました」という件名のメールが、当社の"
            "お客さまに届いています。リンク先は取引画面そっくりの偽サイトで、ログインIDと"
            "パスワード、取引暗証番号を続けて入力させます。\n\n"
            "- 同じ偽サイトが他社の名前でも使い回されているため、連絡会にも共有します。\n"
            "- 当社はメールで取引暗証番号の入力を求めません。注意喚起にお使いください。"
        ),
        "category": "phishing", "intent": "money", "status": "contained",
        "sectors": ["finance"], "attack_stage": "credential-access",
        "techniques": ["T1566.002", "T1583.001"],
        "indicators": [
            {"type": "domain", "value": "kabu-torihiki-login[.]example",
             "note": "偽ログイン画面のドメイン"},
            {"type": "ipv4", "value": "192.0.2.150"},
        ],
        "sightings": [
            {"by": "tanaka@hikari-bank.example", "show_organization": True,
             "note": "当行のお客さまにも、同じドメインへ誘導するメールが届いています。"},
        ],
        "views": ["tanaka@hikari-bank.example"],
    },
    {
        "key": "ict-phishing-hosting", "community": "ict-isac", "period": 1, "day": 14,
        "author": "mori@nami-networks.example", "tlp": "CLEAR", "federated": True,
        "title": "証券会社を装うフィッシングサイトを国内のレンタルサーバー上で確認",
        "summary": (
            "観測網の通報窓口に寄せられた情報から、証券会社の取引画面を装うフィッシング"
            "サイトが国内のレンタルサーバーで動いていることを確認しました。事業者に連絡し、"
            "翌日には停止されています。\n\n"
            "- 同じ作りのサイトが、ドメインを替えて繰り返し立ち上げられています。"
        ),
        "category": "phishing", "intent": "money", "status": "resolved",
        "sectors": ["ict", "finance"], "attack_stage": "resource-development",
        "techniques": ["T1583.001", "T1583.003"],
        "indicators": [
            {"type": "domain", "value": "kabu-torihiki-login[.]example"},
            {"type": "ipv4", "value": "192.0.2.151"},
        ],
        "feedback": [
            {"by": "suzuki@tsubasa-telecom.example", "action": "blocked",
             "note": "DNSフィルタリングの対象に加えました。"},
        ],
        "views": ["suzuki@tsubasa-telecom.example"],
    },
    {
        "key": "fin-logistics-ransomware", "community": "fin-isac", "period": 1, "day": 20,
        "author": "tanaka@hikari-bank.example", "tlp": "AMBER",
        "title": "取引先の物流会社でランサムウェア被害、受発注システムが停止",
        "summary": (
            "当行の取引先の物流会社がランサムウェアに感染し、受発注システムが数日止まりました。"
            "当行とのシステム連携は止めてあり、当行側への影響は確認されていません。\n\n"
            "- 侵入口はリモート保守用の機器と見られます。\n"
            "- 同じ物流会社を使う会員は、連携用アカウントの利用記録を確かめてください。"
        ),
        "category": "ransomware", "intent": "money", "status": "contained",
        "sectors": ["finance", "transport"], "attack_stage": "impact",
        "techniques": ["T1133", "T1486"],
        "indicators": [{"type": "ipv4", "value": "198.51.100.50", "note": "保守機器への接続元"}],
        "views": ["okada@kaede-securities.example"],
    },
    {
        "key": "ict-router-admin-scan", "community": "ict-isac", "period": 1, "day": 25,
        "author": "suzuki@tsubasa-telecom.example", "tlp": "GREEN",
        "title": "ルーターの管理画面の脆弱性を狙うスキャンが増加",
        "summary": (
            "公開済みの脆弱性を持つルーターの管理画面を探すスキャンが、先月の約3倍に"
            "増えています。修正版への更新と、管理画面をインターネットに公開しない設定を"
            "勧めます。"
        ),
        "category": "vulnerability_exploitation", "intent": "unknown", "status": "investigating",
        "sectors": ["ict"], "attack_stage": "reconnaissance",
        "techniques": ["T1595.002", "T1190"],
        "indicators": [{"type": "ipv4", "value": "198.51.100.50"}],
        "views": ["mori@nami-networks.example"],
    },
    {
        "key": "ict-dns-water-torture", "community": "ict-isac", "period": 1, "day": 33,
        "author": "ueda@tsubasa-telecom.example", "tlp": "GREEN", "federated": True,
        "anonymous": True,
        "title": "ランダムなサブドメインへの問い合わせで権威DNSサーバーの応答が遅延",
        "summary": (
            "実在しないサブドメインへの問い合わせが大量に届き、権威DNSサーバーの応答が"
            "遅くなりました（いわゆるDNS水責め攻撃）。キャッシュDNSサーバーを経由するため、"
            "送信元での遮断は難しい攻撃です。\n\n"
            "- 問い合わせ元のキャッシュDNSサーバーの運用者に連絡して収まりました。\n"
            "- 被害組織が特定されないよう、事務局経由で共有します。"
        ),
        "category": "ddos", "intent": "disruption", "status": "resolved",
        "sectors": ["ict"], "attack_stage": "impact",
        "techniques": ["T1498.001"],
        "indicators": [{"type": "ipv4", "value": "203.0.113.30"}],
        "views": ["mori@nami-networks.example"],
    },
    {
        "key": "fin-gift-card-fraud", "community": "fin-isac", "period": 1, "day": 40,
        "author": "nakamura@minato-trust.example", "tlp": "GREEN",
        "title": "役員を名乗るチャットで電子ギフト券の購入を指示する詐欺",
        "summary": (
            "役員になりすましたチャットのメッセージで、社員に電子ギフト券を買わせて番号を"
            "送らせる詐欺が続いています。役員の名前と肩書きは会社のウェブサイトから"
            "取られていました。"
        ),
        "category": "fraud", "intent": "money", "status": "resolved",
        "sectors": ["finance"], "attack_stage": "initial-access",
        "techniques": ["T1656"],
        "indicators": [{"type": "domain", "value": "exec-chat-support[.]example"}],
        "views": ["tanaka@hikari-bank.example"],
    },
    {
        "key": "fin-fake-bank-site", "community": "fin-isac", "period": 2, "day": 12,
        "author": "nakamura@minato-trust.example", "tlp": "GREEN",
        "title": "インターネットバンキングの偽サイトを検索広告で誘導",
        "summary": (
            "検索エンジンの広告枠に、当社のインターネットバンキングを装う偽サイトへの"
            "広告が出ていました。広告事業者に連絡し、削除されています。"
        ),
        "category": "phishing", "intent": "money", "status": "resolved",
        "sectors": ["finance"], "attack_stage": "initial-access",
        "techniques": ["T1583.008", "T1566.002"],
        "indicators": [{"type": "domain", "value": "minato-netbank-login[.]example"}],
        "views": ["tanaka@hikari-bank.example"],
    },
    {
        "key": "fin-api-ddos", "community": "fin-isac", "period": 2, "day": 30,
        "author": "okada@kaede-securities.example", "tlp": "AMBER",
        "title": "株価照会APIへの大量アクセスで応答が遅延",
        "summary": (
            "取引アプリが使う株価照会APIに短時間で大量のリクエストが集まり、応答が"
            "遅くなりました。レート制限を強めて収まっています。"
        ),
        "category": "ddos", "intent": "disruption", "status": "resolved",
        "sectors": ["finance"], "attack_stage": "impact",
        "techniques": ["T1499.003"],
        "indicators": [{"type": "ipv4", "value": "203.0.113.61"}],
        "views": ["tanaka@hikari-bank.example"],
    },
    {
        "key": "ict-iot-botnet-ddos", "community": "ict-isac", "period": 2, "day": 21,
        "author": "mori@nami-networks.example", "tlp": "GREEN", "federated": True,
        "title": "乗っ取られたIoT機器によるDDoS攻撃を顧客回線で観測",
        "summary": (
            "家庭用ルーターやネットワークカメラから、特定のウェブサイトに向けた大量の通信を"
            "観測しました。機器の初期パスワードを変えるよう、顧客への注意喚起を"
            "勧めます。"
        ),
        "category": "ddos", "intent": "disruption", "status": "contained",
        "sectors": ["ict"], "attack_stage": "impact",
        "techniques": ["T1498.001", "T1584.005"],
        "indicators": [{"type": "ipv4", "value": "198.51.100.88"}],
        "views": ["suzuki@tsubasa-telecom.example"],
    },
]

# Threads: the first post is "body"; "posts" follow in order, each optionally a reply to an
# earlier post of the same thread ("reply_to": its index in "posts"; -1 is the first post).
THREADS = [
    # --- 金融ISAC ---
    {
        "key": "fin-thread-customer-warning", "community": "fin-isac",
        "author": "tanaka@hikari-bank.example", "tlp": "CLEAR",
        "title": "顧客向けスミッシング注意喚起文のひな形",
        "body": (
            "当行でお客さま向けに出している注意喚起の文面を、各社で使えるよう少し一般化しました。"
            "「SMSやメールのリンクからログインしない」「公式アプリかブックマークから開く」の2点に"
            "絞っています。直したほうがよい点があれば教えてください。"
        ),
        "posts": [
            {"author": "okada@kaede-securities.example",
             "body": "証券会社向けに「取引パスワード」の語も加えて使わせていただきます。"},
            {"author": "matsumoto@hikari-bank.example", "reply_to": 0,
             "body": "事務局で英語版も用意し、会員ページに載せます。"},
        ],
    },
    {
        "key": "fin-thread-ddos-review", "community": "fin-isac",
        "author": "tanaka@hikari-bank.example", "tlp": "GREEN",
        "incident": "fin-ddos-online-banking",
        "title": "ネットバンキングDDoSの対処の振り返り",
        "body": (
            "先日のDDoSについて、上流の通信事業者への連絡から遮断まで約25分かかりました。"
            "連絡先の一覧が古く、最初の電話がつながらなかったのが一番の反省点です。"
            "各社は通信事業者との連絡手順をどう管理していますか。"
        ),
        "posts": [
            {"author": "okada@kaede-securities.example",
             "body": "当社は四半期ごとに連絡先の疎通確認をしています。"
                     "訓練と兼ねると続けやすいです。"},
            {"author": "nakamura@minato-trust.example",
             "body": "CDN事業者の緊急窓口を契約に明記してもらいました。"},
            {"author": "tanaka@hikari-bank.example", "reply_to": 1,
             "body": "契約に書くのは良いですね。次の更新で検討します。"},
        ],
    },
    {
        "key": "fin-thread-ransom-policy", "community": "fin-isac",
        "author": "okada@kaede-securities.example", "tlp": "AMBER",
        "exclude": ["cyber-policy-office"],
        "title": "ランサムウェア被害時の身代金不払い方針と経営層への説明",
        "body": (
            "子会社の件で、経営層から「払えば早く戻るのではないか」という質問が出ました。"
            "不払いの方針を説明するときに、各社がどんな根拠を示しているか伺いたいです。"
        ),
        "posts": [
            {"author": "kobayashi@kagami-security.example",
             "body": "支払っても復号できない例や、再び狙われる例が多いことを件数で示すと"
                     "伝わりやすいです。"},
            {"author": "tanaka@hikari-bank.example",
             "body": "当行は復旧の目標時間とバックアップからの復元手順を先に示し、"
                     "払わずに戻せる道筋を説明しています。"},
        ],
    },
    {
        "key": "fin-thread-vendor-access", "community": "fin-isac",
        "author": "tanaka@hikari-bank.example", "tlp": "AMBER+STRICT",
        "organizations": ["hikari-bank", "kaede-securities"],
        "title": "委託先のリモート保守接続をどう管理しているか",
        "body": (
            "保守ベンダーのリモート接続を、作業のたびに有効にする運用へ切り替えようとしています。"
            "承認の手順と、接続中の操作記録の取り方について、各社の実情を聞かせてください。"
        ),
        "posts": [
            {"author": "okada@kaede-securities.example",
             "body": "当社は作業申請の承認と連動して接続用アカウントを有効にし、"
                     "作業終了で自動的に無効にしています。"},
        ],
    },
    {
        "key": "fin-thread-lnk-analysis", "community": "fin-isac",
        "author": "matsumoto@hikari-bank.example", "tlp": "RED",
        "users": ["kobayashi@kagami-security.example"],
        "incident": "fin-targeted-lecture-invitation",
        "title": "講演依頼メールの検体解析のお願い",
        "body": (
            "講演依頼を装ったメールの検体について、追加取得される不正プログラムの解析を"
            "お願いできますか。通信先の一覧が分かれば、宛先を限って会員に追加で共有します。"
        ),
        "posts": [
            {"author": "kobayashi@kagami-security.example",
             "body": "承知しました。今週中に一次報告をお送りします。"},
        ],
    },
    # --- ICT-ISAC ---
    {
        "key": "ict-thread-router-awareness", "community": "ict-isac",
        "author": "mori@nami-networks.example", "tlp": "CLEAR", "federated": True,
        "title": "家庭用ルーターの初期パスワード問題、利用者への呼びかけ方",
        "body": (
            "観測網でのログイン試行の急増を受けて、利用者向けの呼びかけを各社で揃えられないか"
            "と考えています。技術用語を使わず、3つの手順に絞った案を作りました。"
        ),
        "posts": [
            {"author": "suzuki@tsubasa-telecom.example",
             "body": "機器の型番ごとの手順へのリンクを付けると問い合わせが減りました。"},
        ],
    },
    {
        "key": "ict-thread-liaison-summary", "community": "ict-isac",
        "author": "ogawa@nami-networks.example", "tlp": "GREEN", "federated": True,
        "title": "連絡会向け：今期の観測傾向のまとめ方",
        "body": (
            "次回の連絡会に向けて、今期の観測傾向をまとめます。金融ISACのDDoSの報告と"
            "当会の観測の一致が目立ったので、両方の視点を並べる構成にしたいと考えています。"
        ),
        "posts": [
            {"author": "ueda@tsubasa-telecom.example",
             "body": "攻撃の時間帯を重ねたグラフがあると分かりやすいと思います。"},
            {"author": "kobayashi@kagami-security.example", "reply_to": 0,
             "body": "グラフの素材は当社で用意できます。"},
        ],
    },
    {
        "key": "ict-thread-vpn-patching", "community": "ict-isac",
        "author": "ueda@tsubasa-telecom.example", "tlp": "AMBER",
        "title": "SSL-VPN機器の修正適用状況の情報交換",
        "body": (
            "修正版の適用にあたり、機器の再起動を伴うため業務時間外の作業が必要です。"
            "各社が適用を終えるまでにかかった日数と、暫定の回避策を教えてください。"
        ),
        "posts": [
            {"author": "mori@nami-networks.example",
             "body": "当社は公開から5日で全台に適用しました。その間は管理画面を外部から"
                     "見えないようにしていました。"},
        ],
    },
    {
        "key": "ict-thread-subsidiary-segmentation", "community": "ict-isac",
        "author": "suzuki@tsubasa-telecom.example", "tlp": "AMBER+STRICT",
        "organizations": ["tsubasa-telecom", "nami-networks"],
        "title": "子会社ネットワークを本社からどう切り分けるか",
        "body": (
            "海外子会社の件を受けて、本社と子会社の間の通信をどこまで絞るかを見直しています。"
            "切り分けの基準をお持ちの会社があれば参考にさせてください。"
        ),
        "posts": [
            {"author": "ogawa@nami-networks.example",
             "body": "業務で必要な通信を一覧にし、それ以外は既定で止める方針にしました。"},
        ],
    },
    {
        "key": "ict-thread-template-injection", "community": "ict-isac",
        "author": "suzuki@tsubasa-telecom.example", "tlp": "RED",
        "users": ["ogawa@nami-networks.example", "kobayashi@kagami-security.example"],
        "incident": "ict-targeted-template-injection",
        "title": "なりすまされた業界団体への連絡の進め方",
        "body": (
            "標的型メールで名前を使われた業界団体に、どの経路で知らせるのがよいか相談させて"
            "ください。団体側の職員のアカウントが乗っ取られている可能性もあります。"
        ),
        "posts": [
            {"author": "ogawa@nami-networks.example",
             "body": "事務局から団体の代表窓口へ、電話で連絡します。メールは避けます。"},
            {"author": "kobayashi@kagami-security.example", "reply_to": 0,
             "body": "団体側の調査が必要になれば、当社で支援できます。"},
        ],
    },
]


# What followed the first talk of each series' first meeting (council minutes prize it): who
# asked, the answer, and whether it came through the meeting's chat.
MEETING_DISCUSSION = {
    "security-study": [
        ("question", "田中 浩（ひかり銀行）",
         "家庭用ルーターの更新は、会社がどこまで面倒を見るべきか。", "小林 誠",
         "機種と更新方法を一覧にして配り、更新したかを年2回申告してもらうのが現実的。", False),
        ("comment", "渡辺 翔（かえで証券）", "私物端末の業務利用は、まず実態の把握から始めた。",
         "", "", True),
    ],
    "cyber-council": [
        ("question", "森 大輔（なみネットワークス）",
         "共有された情報を社内でどう回すか、事例はあるか。", "吉田 亜紀",
         "受け取った部署が一次判断し、対処の結果を分科会に戻す流れを想定している。", False),
    ],
}

# Participants' reflections: on the first meeting held (anonymous toward other members) and
# on the year.
MEETING_FEEDBACK = {
    "security-study": ("点検項目が具体的で、すぐ社内で使えた。",
                       "他社の失敗談を率直に聞けたのが何よりの収穫だった。"),
    "cyber-council": ("論点が整理されていて議論しやすかった。", "人材育成の議論をもっと深めたい。"),
}


# --- Minutes and materials: shared content of meetings -----------------------------------------
#
# "meeting" is (community, number). Audience as for ISAC content; "users": "came" names
# everyone who came to that meeting (or, before it is held, everyone who answered) — the RED
# record "for the people in the room".
MINUTES = [
    {"key": "study-1", "meeting": ("security-study", 1), "author": "sato@yamato-electric.example",
     "tlp": "GREEN", "title": "第1回 議事要旨（テレワーク環境の総点検）",
     "body": ("## 報告\n\n家庭用ルーター、VPN 装置、私物端末の三つを軸に各社の点検結果を"
              "持ち寄った。\n\n## 質疑\n\n- 家庭用ルーターの更新をどこまで会社が支援するか"
              "議論があり、機種一覧の配布と年2回の申告で運用する案に落ち着いた。\n"
              "- 不審メールは上司より先にインシデント窓口へ、を各社で周知する。\n")},
    {"key": "study-2", "meeting": ("security-study", 2), "author": "sato@yamato-electric.example",
     "tlp": "GREEN", "title": "第2回 議事要旨（ゼロトラストへの移行）",
     "body": ("## 報告\n\nID 基盤の統合から着手した事例を聞いた。\n\n## 質疑\n\n"
              "- 多要素認証の例外は台帳で管理し、四半期ごとに見直す。\n")},
    {"key": "study-3", "meeting": ("security-study", 3), "author": "ito@yamato-electric.example",
     "tlp": "AMBER", "title": "第3回 議事要旨（サプライチェーンリスク）",
     "body": ("## 報告\n\n委託先経由の侵入を想定した管理策を検討した。\n\n## 各社の状況\n\n"
              "- 委託先チェックシートの回答を検証する手段がない会社が多かった。\n"
              "- 海外子会社の基準差を一覧化した会社の例が紹介された。\n")},
    {"key": "study-1-room", "meeting": ("security-study", 1),
     "author": "sato@yamato-electric.example", "tlp": "RED", "users": "came",
     "title": "第1回 出席者限り（各社の点検結果の詳細）",
     "body": ("出席者限りの記録。各社が挙げた未対応の項目と、その対応予定時期をまとめた。"
              "社外への転送は不可。\n\n- 未対応の VPN 装置: 2社\n"
              "- 私物端末の利用実態が未把握: 3社\n")},
    {"key": "council-1", "meeting": ("cyber-council", 1),
     "author": "yoshida@cyber-policy-office.example", "tlp": "AMBER",
     "title": "第1回 分科会 議事要旨",
     "body": ("## 議事\n\n1. 開催要綱と検討事項の説明（事務局）\n2. 最近の攻撃動向\n\n"
              "## 主な意見\n\n- 中小企業に届く情報提供の形を検討すべき。\n"
              "- 共有された情報を受け取った側の対処結果を戻す流れが必要。\n")},
]

MATERIALS = [
    {"key": "council-1-nonpublic", "meeting": ("cyber-council", 1),
     "author": "yoshida@cyber-policy-office.example", "tlp": "AMBER",
     "title": "資料3 攻撃動向の詳細（非公開）", "filename": "shiryo3_hikokai.pdf",
     "description": "構成員限りの資料。観測値を含むため非公開とする。"},
    {"key": "study-1-checklist", "meeting": ("security-study", 1),
     "author": "ito@yamato-electric.example", "tlp": "CLEAR",
     "title": "在宅勤務の点検項目（公開版）", "filename": "telework_checklist.md",
     "description": "研究会でまとめた点検項目。社外にも配布してよい。",
     "text": ("# 在宅勤務の点検項目\n\n- 家庭用ルーターのファームウェアは最新か\n"
              "- VPN 装置の修正プログラムを適用したか\n- 業務端末の画面ロックは有効か\n")},
]

# A survey of the study group's year (closed, into the activity report). Each member's answers
# are chosen in turn from the choices, by position; the free text by member, in turn.
SURVEY = {
    "community": "security-study",
    "title": "クラウドサービス利用状況アンケート",
    "description": "参加企業のクラウド利用と、部門が独自に導入したサービスの把握状況を尋ねる。",
    "questions": [
        {"text": "業務でクラウドサービスを利用していますか", "kind": "single", "required": True,
         "choices": ["全社で利用", "一部の部門で利用", "利用していない"]},
        {"text": "利用しているサービスの種類（複数回答）", "kind": "multiple", "required": True,
         "choices": ["メール・グループウェア", "ファイル共有", "業務アプリ（SaaS）", "IaaS・PaaS"]},
        {"text": "部門が独自に導入したサービスをどう把握していますか", "kind": "text",
         "required": False, "choices": []},
    ],
    "texts": ["プロキシのログから定期的に洗い出している。", "申請制にしているが漏れがある。",
              "把握できていない。"],
}
