"""Logistics use cases: order suggestions, stock, the device register, van loads and seeding.

Each public function is one use case in one transaction; functions that show patient-linked data
check the caller's role and write the access log for every patient shown. The modules:

* :mod:`.orders` — suggest, accept/adjust, reject and list order lines; accepted lines as tasks
* :mod:`.stock` — stock levels, expiring stock, stock movements (the ledger)
* :mod:`.devices` — the MTU register, devices due for service and their swap tasks
* :mod:`.board` — the order suggestions grouped per patient and delivery date, with totals
* :mod:`.loads` — van loads, FEFO pick lists and one printable pick list per van for a stored plan
* :mod:`.replenishment` — suggested purchase orders, the risk-pooling report, the low list and
  purchase orders placed from it
* :mod:`.seeding` — stock and a device pool for a synthetic world
"""


from hjemme.services.logistics._rows import DEVICE_ROLES, ORDER_ROLES, WAREHOUSE
from hjemme.services.logistics.board import BoardPatient, OrderBoardView, read_order_board
from hjemme.services.logistics.devices import device_tasks, devices_due, list_devices
from hjemme.services.logistics.loads import PlanLoads, VanSheet, VanSheets, pick_lists, van_pick_sheets
from hjemme.services.logistics.orders import (
    accept_order_lines,
    list_order_lines,
    order_delivery_tasks,
    reject_order_lines,
    suggest_orders,
)
from hjemme.services.logistics.replenishment import (
    ProductPooling,
    PurchaseOrder,
    PurchaseOrderResult,
    PurchaseOrderSuggestion,
    list_purchase_orders,
    low_stock_list,
    order_low_stock,
    suggest_purchase_orders,
)
from hjemme.services.logistics.seeding import (
    LogisticsSeedResult,
    clear_logistics_in,
    seed_logistics,
    seed_logistics_in,
)
from hjemme.services.logistics.stock import expiring_stock, record_stock_movements, stock_levels

__all__ = [
    "BoardPatient",
    "OrderBoardView",
    "PurchaseOrder",
    "VanSheet",
    "VanSheets",
    "list_purchase_orders",
    "order_low_stock",
    "read_order_board",
    "van_pick_sheets",
    "DEVICE_ROLES",
    "LogisticsSeedResult",
    "ORDER_ROLES",
    "PlanLoads",
    "ProductPooling",
    "PurchaseOrderResult",
    "PurchaseOrderSuggestion",
    "WAREHOUSE",
    "accept_order_lines",
    "clear_logistics_in",
    "device_tasks",
    "devices_due",
    "expiring_stock",
    "list_devices",
    "list_order_lines",
    "order_delivery_tasks",
    "pick_lists",
    "record_stock_movements",
    "reject_order_lines",
    "seed_logistics",
    "seed_logistics_in",
    "stock_levels",
    "suggest_orders",
    "low_stock_list",
    "suggest_purchase_orders",
]
