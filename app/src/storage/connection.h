// One open SQLite file: how it is opened (read-write with the pragmas the app
// relies on, or read-only), its transactions, and how a failure becomes an
// AppError a screen can act on.
//
// Read-write connections run in WAL mode with foreign keys on and
// synchronous=FULL; every write goes through write(), one transaction, so a
// killed process leaves either the whole change or none of it.
//
// Not thread-safe: use a Connection from the thread that opened it (each one
// registers its own Qt connection name, so several may coexist).
#pragma once

#include <QSqlDatabase>
#include <QString>

#include <functional>

namespace zaya::app::storage {

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Creates the file and its folder (owner-only) when needed, checks that the
  // folder can really be written, and sets the pragmas. Throws AppError.
  void openReadWrite(const QString& path);
  // Opens an existing file without writing anything beside it (a damaged
  // file, a read-only folder); every write() then throws ReadOnly.
  void openReadOnly(const QString& path);
  void close();

  const QString& path() const { return path_; }
  bool isReadOnly() const { return readOnly_; }
  QSqlDatabase& handle() { return db_; }

  // Runs fn inside one transaction (BEGIN IMMEDIATE … COMMIT); nested calls
  // join the outer one. Rolls back and rethrows on any exception.
  void write(const std::function<void()>& fn);

  // Runs a script of several statements (a schema step) as SQLite's own
  // parser splits it. Throws AppError naming `what`.
  void runScript(const QString& sql, const char* what);

  // Throws the AppError that SQLite's last error on this connection stands
  // for: DiskFull, ReadOnly, Corrupt, else Storage with the driver's text.
  [[noreturn]] void fail(const QString& what, const QString& driverText);

 private:
  void addConnection(const QString& name);

  QString path_;
  QString connectionName_;
  QSqlDatabase db_;
  int depth_ = 0;  // nesting of write()
  bool readOnly_ = false;
};

}  // namespace zaya::app::storage
