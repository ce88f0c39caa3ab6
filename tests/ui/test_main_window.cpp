// The main window starts offscreen, has its menus and status bar, renders
// its web content with KaTeX, switches themes, and can be grabbed as a PNG.
#include <QApplication>
#include <QMenuBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

#include "document_view.h"
#include "main_window.h"

using zaya::ui::MainWindow;

class TestMainWindow : public QObject {
  Q_OBJECT
 private slots:
  void opensWithTitleMenusAndStatus() {
    MainWindow w;
    w.show();
    QCOMPARE(w.windowTitle(), QStringLiteral("ZAYA Tutor"));
    QStringList menus;
    for (QAction* a : w.menuBar()->actions()) menus << a->text().remove(QLatin1Char('&'));
    QVERIFY2(menus.contains(QStringLiteral("File")) && menus.contains(QStringLiteral("Help")), qPrintable(menus.join(',')));
    // No model is installed in the test's scratch data folder, and the status says so.
    QVERIFY2(w.statusText().contains(QStringLiteral("No model installed")), qPrintable(w.statusText()));
    QVERIFY2(w.statusText().contains(QStringLiteral("CPU")) || w.statusText().contains(QStringLiteral("GPU")),
             qPrintable(w.statusText()));
  }

  void rendersMathWithKatex() {
    MainWindow w;
    w.showView(QStringLiteral("welcome"));
    QSignalSpy spy(w.welcomeView(), &zaya::ui::DocumentView::rendered);
    w.show();
    QVERIFY(spy.wait(60000));
    const int katex = spy.last().at(0).toInt();
    const int errors = spy.last().at(1).toInt();
    QVERIFY2(katex >= 3, qPrintable(QString::number(katex)));
    QCOMPARE(errors, 0);
  }

  void themeSwitchChangesPaletteAndRerenders() {
    MainWindow w;
    w.showView(QStringLiteral("welcome"));
    QSignalSpy spy(w.welcomeView(), &zaya::ui::DocumentView::rendered);
    w.show();
    QVERIFY(spy.wait(60000));
    w.setTheme(QStringLiteral("dark"));
    QVERIFY(spy.wait(30000));
    QVERIFY(qApp->palette().color(QPalette::Window).lightness() < 100);
    w.setTheme(QStringLiteral("light"));
    QVERIFY(spy.wait(30000));
    QVERIFY(qApp->palette().color(QPalette::Window).lightness() > 150);
  }

  void unknownViewIsRefused() {
    MainWindow w;
    QVERIFY(w.viewNames().contains(QStringLiteral("welcome")));
    QVERIFY(!w.showView(QStringLiteral("no-such-screen")));
    QVERIFY(w.showView(QStringLiteral("welcome")));
  }

  void grabProducesAnImage() {
    MainWindow w;
    w.showView(QStringLiteral("welcome"));
    QSignalSpy spy(&w, &MainWindow::viewRendered);
    w.show();
    QVERIFY(spy.wait(60000));
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("window.png"));
    QVERIFY(w.grab().save(file, "PNG"));
    QImage img(file);
    QCOMPARE(img.size(), w.size() * w.devicePixelRatio());
    // Not a blank frame: the rendered page has many distinct colours.
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 7)
      for (int x = 0; x < img.width(); x += 7) colours.insert(img.pixel(x, y));
    QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
