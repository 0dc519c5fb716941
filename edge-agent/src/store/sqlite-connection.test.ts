import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteConnection } from "./sqlite-connection.js";

let dir: string;
let db: SqliteConnection;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pw-conn-"));
  db = new SqliteConnection(join(dir, "t.db"), 1000);
  db.executeScript("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, flag INTEGER, n REAL)");
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SqliteConnection", () => {
  it("shapes rows as @libsql/client does: values by index and by column name, names enumerable", () => {
    db.execute({ sql: "INSERT INTO t (name, flag, n) VALUES (?, ?, ?)", args: ["a", true, 1.5] });
    const rs = db.execute("SELECT id, name, flag, n, name AS name FROM t");
    expect(rs.columns).toEqual(["id", "name", "flag", "n", "name"]);
    const row = rs.rows[0];
    expect(row?.length).toBe(5);
    expect([row?.[0], row?.[1], row?.[2], row?.[3]]).toEqual([1, "a", 1, 1.5]);
    expect({ ...row }).toEqual({ id: 1, name: "a", flag: 1, n: 1.5 });
  });

  it("reports changes and the last rowid of a write", () => {
    const first = db.execute({ sql: "INSERT INTO t (name) VALUES (?), (?)", args: ["a", "b"] });
    expect(first.rowsAffected).toBe(2);
    expect(first.lastInsertRowid).toBe(2n);
    expect(db.execute("UPDATE t SET flag = 0").rowsAffected).toBe(2);
  });

  it("takes named arguments with any of SQLite's prefixes and refuses values SQLite cannot hold", () => {
    db.execute({
      sql: "INSERT INTO t (name, flag) VALUES (:name, $flag)",
      args: { ":name": "x", $flag: false },
    });
    expect({ ...db.execute("SELECT name, flag FROM t").rows[0] }).toEqual({ name: "x", flag: 0 });
    expect(() => db.execute({ sql: "SELECT ?", args: [Number.NaN] })).toThrow(RangeError);
    expect(() => db.execute({ sql: "SELECT ?", args: [undefined as unknown as null] })).toThrow(TypeError);
  });

  it("rebinds a cached statement: each run sees its own arguments", () => {
    const sql = "SELECT count(*) FROM json_each(?)";
    expect(db.execute({ sql, args: ["[1,2,3]"] }).rows[0]?.[0]).toBe(3);
    expect(db.execute({ sql, args: ["[]"] }).rows[0]?.[0]).toBe(0);
    // More distinct texts than the cache holds, then the first again: still correct.
    for (let i = 0; i < 200; i++) expect(db.execute(`SELECT ${i}`).rows[0]?.[0]).toBe(i);
    expect(db.execute({ sql, args: ["[1]"] }).rows[0]?.[0]).toBe(1);
  });

  it("commits a batch as one transaction and rolls all of it back when a statement fails", () => {
    db.batch([{ sql: "INSERT INTO t (name) VALUES (?)", args: ["kept"] }]);
    expect(() =>
      db.batch([
        { sql: "INSERT INTO t (name) VALUES (?)", args: ["lost"] },
        "INSERT INTO missing_table VALUES (1)",
      ]),
    ).toThrow(/missing_table/);
    expect(db.inTransaction).toBe(false);
    expect(db.execute("SELECT name FROM t").rows.map((r) => r.name)).toEqual(["kept"]);
  });

  it("reads the plan of a write and leaves the connection able to commit", () => {
    const insert = {
      sql: "WITH j(value) AS MATERIALIZED (SELECT value FROM json_each(?)) INSERT INTO t (name) SELECT j.value->>0 FROM j",
      args: ['[["a"]]'],
    };
    const plan = db.queryPlan(insert);
    expect(plan.join("\n")).toMatch(/json_each/);
    // Without a reset, SQLite keeps an EXPLAIN of a write counted as a write in progress: COMMIT fails.
    db.batch([insert, insert]);
    expect(db.queryPlan(insert)).toEqual(plan);
    db.batch([insert]);
    expect(db.execute("SELECT count(*) AS n FROM t").rows[0]?.n).toBe(3);
  });
});
