"""My orders (我的任务): the signed-in person's orders now and next, on a phone, each
reported with one tap; a room's QR code opens this page for that room."""

import streamlit as st

import ui
from planner.errors import ScenarioError
from planner.model import vocabulary as vocab
from planner.ops import congress as ops
from planner.ops import views

st.title(ui.t("我的任务", "My orders"))
ui.show_flash()
snap = ui.snap()
live = snap.live
lang = ui.lang()
me = ui.me()
if me is None or me not in live.staff:
    st.info(ui.t("本账户未关联工作人员：请指挥在“账户与场景”页关联",
                 "This account is not linked to a staff member: a commander links it on "
                 "the Accounts page"))
    st.stop()
now = ui.clock(snap)
room = st.query_params.get("room")
if room is not None and room not in live.rooms:
    st.warning(ui.t("二维码中的会场不存在，显示全部任务", "No such room: all orders shown"))
    room = None
person = live.staff[me]
where = f" · {live.rooms[room].name}" if room else ""
st.caption(f"{person.name}（{me}）· {now:%m-%d %H:%M}{where}")
if room and st.button(ui.t("查看我的全部任务", "All my orders"), key="all_rooms"):
    st.query_params.clear()
    st.rerun()


def report(order: views.Order, skip: bool = False) -> None:
    """The tap, handled before the page is drawn again (one run, not two): the order's
    events logged at the moment shown, and what became of them said at the top."""
    snap, task = ui.snap(), vocab.display(vocab.TASKS, order.task, lang)
    now = ui.clock(snap)
    if skip:
        events = [views.skip_event(order, now, st.session_state.get(f"why_{order.key}", ""))]
        said = ui.t(f"已记录未执行：{task} · {order.session}",
                    f"Logged as not done: {task} · {order.session}")
    else:
        events = views.report_events(snap, order, now, st.session_state.get(f"kg_{order.key}"))
        said = ui.t(f"已报告：{task} · {order.session}", f"Reported: {task} · {order.session}")
    try:
        ops.log_events(ui.store(), snap.name, events, ui.user()["username"])
    except ScenarioError as error:
        ui.say(ui.t("未记录：", "Not logged: ") + ui.t("；", "; ").join(
            p.message(lang) for p in error.problems), "error")
    except PermissionError:
        ui.say(ui.t("只能报告自己的任务", "You may report only your own orders"), "error")
    else:
        ui.say(said)


orders = views.my_orders(snap, me, now, room=room)
if not orders:
    st.write(ui.t("此刻没有任务", "No orders now"))
for o in orders:
    task = vocab.display(vocab.TASKS, o.task, lang)
    with st.container(border=True):
        st.markdown(f"**{o.start:%H:%M}–{o.end:%H:%M} {task}**  \n{o.session}（{o.room}）")
        if o.carry:
            st.write(ui.t("携带：", "Carry: ") + o.carry)
        if o.crew:
            st.caption(ui.t("同组：", "With: ") + "、".join(o.crew))
        if o.reported:
            st.success(ui.t("已报告", "Reported"))
            continue
        if o.task == "collect":
            st.number_input(ui.t("称重（千克）", "Weight (kg)"), 0.0, 1000.0, 5.0, 0.1,
                            key=f"kg_{o.key}")
        st.button(ui.t("完成", "Done"), key=f"done_{o.key}", type="primary", width="stretch",
                  on_click=report, args=(o,))
        with st.expander(ui.t("未能执行", "Could not do it")):
            st.text_input(ui.t("原因（必填）", "Why (required)"), key=f"why_{o.key}")
            st.button(ui.t("提交", "Send"), key=f"skip_{o.key}", on_click=report,
                      args=(o, True))
