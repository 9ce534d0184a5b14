// An independent statement of what the test rules' subset must hold: the root rows and, to a
// fixed point, every row they reference, computed in JavaScript over the whole (small) source.
import type { TestDatabase } from "./support";

export interface ExpectedSubset {
  users: Set<number>;
  trading_strategies: Set<number>;
  accounts: Set<string>;
  orders: Set<number>;
  fills: Set<number>;
}

type Row = Record<string, any>;

export async function expectedSubset(source: TestDatabase): Promise<ExpectedSubset> {
  const users = await source.query<Row>("SELECT id, username, referrer_id, favourite_strategy_id FROM users");
  const strategies = await source.query<Row>("SELECT id, owner_id FROM trading_strategies");
  const orders = await source.query<Row>("SELECT id::int AS id, user_id, trader_name, strategy_id, exchange, created_at FROM orders");
  const fills = await source.query<Row>("SELECT id::int AS id, order_id::int AS order_id, parent_fill_id::int AS parent_fill_id FROM fills");
  const byId = (rows: Row[]) => new Map(rows.map((row) => [row.id, row]));
  const [userById, strategyById, orderById, fillById] = [byId(users), byId(strategies), byId(orders), byId(fills)];
  const userByName = new Map(users.map((user) => [user.username, user]));

  const result: ExpectedSubset = { users: new Set(), trading_strategies: new Set(), accounts: new Set(), orders: new Set(), fills: new Set() };
  const latestOrders = [...orders].sort((a, b) => b.created_at - a.created_at || b.id - a.id).slice(0, 20);
  const latestFills = [...fills].sort((a, b) => b.id - a.id).slice(0, 5);
  const pending: [keyof ExpectedSubset, Row][] = [...latestOrders.map((o) => ["orders", o] as [keyof ExpectedSubset, Row]), ...latestFills.map((f) => ["fills", f] as [keyof ExpectedSubset, Row])];
  const reach = (table: keyof ExpectedSubset, row: Row | undefined) => row && pending.push([table, row]);
  while (pending.length > 0) {
    const [table, row] = pending.pop()!;
    const key = table === "accounts" ? `${row.user_id}/${row.exchange}` : row.id;
    if ((result[table] as Set<unknown>).has(key)) continue;
    (result[table] as Set<unknown>).add(key);
    if (table === "fills") {
      reach("orders", orderById.get(row.order_id));
      if (row.parent_fill_id !== null) reach("fills", fillById.get(row.parent_fill_id));
    } else if (table === "orders") {
      reach("users", userById.get(row.user_id));
      if (row.trader_name !== null) reach("users", userByName.get(row.trader_name));
      if (row.strategy_id !== null) reach("trading_strategies", strategyById.get(row.strategy_id));
      reach("accounts", { user_id: row.user_id, exchange: row.exchange });
    } else if (table === "accounts") {
      reach("users", userById.get(row.user_id));
    } else if (table === "trading_strategies") {
      reach("users", userById.get(row.owner_id));
    } else if (table === "users") {
      if (row.referrer_id !== null) reach("users", userById.get(row.referrer_id));
      if (row.favourite_strategy_id !== null) reach("trading_strategies", strategyById.get(row.favourite_strategy_id));
    }
  }
  return result;
}
