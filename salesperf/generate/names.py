"""Ids and Chinese names, built column-wise with Arrow compute (no Python loop per row)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华飞玲辉鹏波宇浩凯秀兰建国文斌晨阳琳欣怡佳雪梅红丹"
    "婷倩颖慧君峰龙海燕志新博宁楠晓俊彬旭东亮鑫瑞嘉子涵思雨梓轩天一诗萱"
)
BRAND_CHARS = list("华信恒泰盛达鑫源丰汇联创智通宏远瑞德昌隆嘉宇星辰博凯腾飞中科天安金海永新康")
COMPANY_KINDS = [
    "科技",
    "电子",
    "贸易",
    "实业",
    "信息技术",
    "制造",
    "网络",
    "物流",
    "医疗器械",
    "教育科技",
    "商贸",
    "工程",
]
COMPANY_SUFFIXES = ["有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司"]
CN_DIGITS = "零一二三四五六七八九"


def fixed_width_strings(chars: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """A string array from an [n, width] matrix of ASCII codes (every string ``width`` long)."""
    n, width = chars.shape
    offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int32) * width).tobytes())
    data = pa.py_buffer(np.ascontiguousarray(chars, dtype=np.uint8).tobytes())
    if null is None or not null.any():
        return pa.StringArray.from_buffers(n, offsets, data)
    valid = pa.py_buffer(np.packbits(~null, bitorder="little").tobytes())
    return pa.StringArray.from_buffers(n, offsets, data, valid, int(null.sum()))


def digits_into(chars: np.ndarray, numbers: np.ndarray, first: int, width: int) -> None:
    """Write zero-padded decimal digits of ``numbers`` into columns first..first+width of ``chars``."""
    # float arithmetic: exact for these magnitudes (< 2**53) and much faster than int64 division
    y = np.asarray(numbers, dtype=np.float64)
    out = np.empty((width, len(y)), dtype=np.uint8)
    for j in range(width - 1, -1, -1):
        q = np.floor(y * 0.1 + 0.05)
        out[j] = y - q * 10.0 + 48.0
        y = q
    chars[:, first : first + width] = out.T


def ids(prefix: str, numbers: np.ndarray, width: int, null: np.ndarray | None = None) -> pa.Array:
    """'<prefix><zero-padded number>' for 1-based numbers; NULL where ``null`` is set."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if len(numbers) and int(numbers.max()) >= 10**width:
        width = len(str(int(numbers.max())))  # wider than planned: widen every id alike
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    chars = np.empty((len(numbers), len(head) + width), dtype=np.uint8)
    chars[:, : len(head)] = head
    digits_into(chars, numbers, len(head), width)
    return fixed_width_strings(chars, null)


def pick(vocab: list[str] | tuple[str, ...], idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Strings of ``vocab`` at integer positions ``idx``."""
    out = pc.take(pa.array(list(vocab), pa.string()), pa.array(np.asarray(idx, dtype=np.int64)))
    if null is not None and null.any():
        out = pc.if_else(pa.array(null), pa.scalar(None, pa.string()), out)
    return out


def join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def person_names(rng: np.random.Generator, n: int) -> pa.Array:
    """Chinese personal names: surname + one or two given-name characters."""
    sur = pick(SURNAMES, rng.integers(0, len(SURNAMES), n))
    g1 = pick(GIVEN_CHARS, rng.integers(0, len(GIVEN_CHARS), n))
    g2 = pick([""] + GIVEN_CHARS, np.where(rng.random(n) < 0.6, rng.integers(1, len(GIVEN_CHARS) + 1, n), 0))
    return join(sur, g1, g2)


def company_names(rng: np.random.Generator, cities: list[str], city_idx: np.ndarray) -> pa.Array:
    """Chinese company names like 上海恒泰科技有限公司."""
    n = len(city_idx)
    city = pick(cities, city_idx)
    b1 = pick(BRAND_CHARS, rng.integers(0, len(BRAND_CHARS), n))
    b2 = pick(BRAND_CHARS, rng.integers(0, len(BRAND_CHARS), n))
    kind = pick(COMPANY_KINDS, rng.integers(0, len(COMPANY_KINDS), n))
    suffix = pick(COMPANY_SUFFIXES, rng.integers(0, len(COMPANY_SUFFIXES), n))
    return join(city, b1, b2, kind, suffix)


def phones(rng: np.random.Generator, n: int) -> pa.Array:
    prefix = pick(["138", "139", "186", "135", "158", "177", "188", "150"], rng.integers(0, 8, n))
    return join(prefix, pc.utf8_lpad(pc.cast(pa.array(rng.integers(0, 10**8, n)), pa.string()), 8, "0"))


def emails(local_part: pa.Array, domain: str) -> pa.Array:
    return join(pc.utf8_lower(local_part), "@" + domain)


def cn_number(k: int) -> str:
    """Chinese numeral for 1..99 (一, 十二, 二十三)."""
    if k < 10:
        return CN_DIGITS[k]
    tens, ones = divmod(k, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")
