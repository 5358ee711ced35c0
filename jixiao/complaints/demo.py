"""Demo 群众反映, sent the way a citizen would (through `intake.receive`) and triaged by
the 督查室 (`supervision`) through the app's actions:

* five genuine messages: one 已转办, one 不予受理 with its reason, one merged into an
  earlier message about the same thing, two waiting;
* a burst of eight messages from one address in ten minutes: the first five are taken
  in, the rest are quarantined (待甄别) for review; one of those was released.

Idempotent: nothing is done when a complaint exists already.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from jixiao.accounts.models import User
from jixiao.audit.context import acting_as
from jixiao.complaints import actions, intake
from jixiao.complaints.models import Complaint
from jixiao.org.models import Organization

GENUINE = [
    (
        "JD01",
        "社保窗口",
        "办理退休手续，材料齐全但窗口说系统不通，让下周再来，已经跑了三次。",
        "东湖街道便民服务中心，3月9日上午",
        "13812345678",
    ),
    ("JD02", "", "营业执照变更需要的证明，街道和区里互相推，说不归自己开。", "西关街道，4月初", ""),
    ("JD01", "社保窗口", "社保窗口一直说系统故障，退休手续办不了，跑了好几趟。", "3月10日", ""),
    ("JD03", "综合窗口", "想咨询老旧小区加装电梯补贴，打了一周电话都没人接。", "", "0571-86001234"),
    ("", "", "孩子入学材料要求开具的证明没有一个部门能开。", "", ""),
]
BURST = "你们的服务太差了，必须整改！"
BURST_ADDRESS = "203.0.113.7"


def _send(
    unit_code: str, window: str, problem: str, place: str, phone: str, n: int, address: str
) -> Complaint:
    unit = Organization.objects.filter(code=unit_code).first() if unit_code else None
    return intake.receive(
        intake.Form(str(unit.pk) if unit else "", window, problem, place, phone),
        device=f"demo-device-{n}",
        address=address,
        bucket=n,  # each genuine message in its own ten minutes
    )


def build_demo(district: Any) -> None:
    clerk = User.objects.filter(username="supervision").first()
    if clerk is None or Complaint.objects.exists():
        return
    sent = [_send(*row, n=i, address=f"198.51.100.{i + 1}") for i, row in enumerate(GENUINE)]
    burst_bucket = 10_000
    cache.delete(f"jx:cmp:addr:{BURST_ADDRESS}:{burst_bucket}")
    burst = [
        intake.receive(
            intake.Form("", "", f"{BURST}（{k + 1}）", "", ""),
            device=f"demo-burst-{k}",
            address=BURST_ADDRESS,
            bucket=burst_bucket,
        )
        for k in range(8)
    ]
    with acting_as(clerk):
        actions.accept_complaint(clerk, sent[0], "转督查室立项督办：窗口系统故障影响退休办理")
        actions.reject_complaint(
            clerk, sent[1], "经核实，该证明已取消，凭承诺书即可办理；已电话告知。"
        )
        actions.merge_complaint(clerk, sent[2], sent[0], "与前一条为同一问题")
        quarantined = [c for c in burst if c.status == "quarantined"]
        if quarantined:
            actions.release_complaint(clerk, quarantined[0], "内容具体，予以受理")
