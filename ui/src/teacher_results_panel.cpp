#include "teacher_results_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "app_context.h"
#include "message_line.h"

namespace zaya::ui {

TeacherResultsPanel::TeacherResultsPanel(TeacherServices services, QWidget* parent)
    : QWidget(parent), services_(std::move(services)) {
  auto* layout = new QVBoxLayout(this);
  auto* row = new QHBoxLayout;
  row->addWidget(new QLabel(tr("Set"), this));
  sets_ = new QComboBox(this);
  sets_->setAccessibleName(tr("Problem sets of the class"));
  row->addWidget(sets_, 1);
  auto* importButton = new QPushButton(tr("Import results…"), this);
  row->addWidget(importButton);
  auto* csvButton = new QPushButton(tr("Export CSV…"), this);
  row->addWidget(csvButton);
  auto* deleteSetButton = new QPushButton(tr("Delete set…"), this);
  row->addWidget(deleteSetButton);
  layout->addLayout(row);
  integrity_ = new QLabel(this);
  integrity_->setWordWrap(true);
  integrity_->setTextFormat(Qt::PlainText);
  layout->addWidget(integrity_);
  gridModel_ = new app::ClassGridModel(this);
  grid_ = new QTableView(this);
  grid_->setAccessibleName(tr("Class grid"));
  grid_->setModel(gridModel_);
  grid_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  layout->addWidget(grid_, 1);

  connect(sets_, &QComboBox::currentIndexChanged, this, &TeacherResultsPanel::refreshGrid);
  connect(importButton, &QPushButton::clicked, this, &TeacherResultsPanel::askForResultsFiles);
  connect(csvButton, &QPushButton::clicked, this, &TeacherResultsPanel::askForCsvFile);
  connect(deleteSetButton, &QPushButton::clicked, this, &TeacherResultsPanel::confirmDeleteSet);
}

qint64 TeacherResultsPanel::currentSetId() const { return sets_->currentData().toLongLong(); }

QString TeacherResultsPanel::integrityNote() const { return integrity_->text(); }

void TeacherResultsPanel::showClass(qint64 classId) {
  classId_ = classId;
  refreshSets();
}

void TeacherResultsPanel::showSet(qint64 setId) {
  refreshSets();
  sets_->setCurrentIndex(sets_->findData(setId));
}

void TeacherResultsPanel::refreshSets() {
  const qint64 keep = currentSetId();
  const QSignalBlocker block(sets_);  // one refreshGrid() below, not one per item
  sets_->clear();
  if (services_.isUnlocked() && classId_) {
    services_.messages->run([&] {
      for (const auto& s : services_.context->classroom().sets(classId_)) sets_->addItem(s.title, s.id);
    });
  }
  const int i = sets_->findData(keep);
  sets_->setCurrentIndex(i >= 0 ? i : sets_->count() - 1);
  refreshGrid();
}

void TeacherResultsPanel::refreshGrid() {
  if (!services_.isUnlocked() || !currentSetId()) {
    gridModel_->setGrid({});
    return;
  }
  services_.messages->run([&] { gridModel_->setGrid(services_.context->classroom().grid(currentSetId())); });
  refreshIntegrityNote();
}

void TeacherResultsPanel::refreshIntegrityNote() {
  QString note =
      tr("Each results file is signed with its student's own key: that shows which student's file it is and catches "
         "accidental changes. It cannot stop a student forging their own file on their own computer, so every answer "
         "is re-graded here with this computer's checker; ⚠ marks where the file claimed otherwise.");
  if (services_.isUnlocked()) {
    // Without the count the note still says what it must; a failed count is
    // not worth an error over the grid the teacher asked for.
    reportErrors(
        [&] {
          if (const int n = services_.context->classroom().tamperedRecordCount(); n > 0)
            note += QLatin1Char(' ') +
                    tr("%n record(s) on this computer were changed outside teacher mode (their signature does not "
                       "match your password) and are marked ⚠.",
                       nullptr, n);
        },
        [](const QString&) {});
  }
  note += QLatin1Char(' ') +
          tr("Anyone who can use this computer account can still delete records or put back an older copy of the "
             "database; they cannot change a record without your password without it showing here.");
  integrity_->setText(note);
}

bool TeacherResultsPanel::importResults(const QString& file) {
  if (!services_.isUnlocked()) return false;
  return services_.messages->run([&] {
    const app::ResultsImportSummary s = services_.context->classroom().importResults(file);
    refreshSets();
    if (const int i = sets_->findText(s.setTitle); i >= 0) sets_->setCurrentIndex(i);
    QString text = tr("%1: %2 of %3 answered correctly in “%4”, re-graded here%5.")
                       .arg(s.studentName)
                       .arg(s.correct)
                       .arg(s.answered)
                       .arg(s.setTitle, s.replacedEarlier ? tr(" (replaces the earlier file)") : QString());
    if (!s.timedSittings.isEmpty())
      text += tr(" Sat as a timed test: %1.").arg(s.timedSittings.join(QStringLiteral("; ")));
    if (s.disagreements > 0)
      text += tr(" %n answer(s) differ from the verdict the file claims (marked ⚠).", nullptr, s.disagreements);
    services_.messages->showMessage(text, s.disagreements > 0);
  });
}

bool TeacherResultsPanel::exportCsv(const QString& file) {
  if (!services_.isUnlocked() || !currentSetId()) return false;
  return services_.messages->run([&] {
    services_.context->classroom().exportCsv(currentSetId(), file);
    services_.messages->showInfo(tr("Grid written to %1.").arg(file));
  });
}

void TeacherResultsPanel::confirmDeleteSet() {
  if (!services_.isUnlocked() || !currentSetId()) return services_.messages->showError(tr("Choose a set first."));
  QMessageBox box(QMessageBox::Warning, tr("Delete set"),
                  tr("Delete the set “%1”? Students who have it keep their copy.").arg(sets_->currentText()),
                  QMessageBox::Yes | QMessageBox::Cancel, this);
  box.setTextFormat(Qt::PlainText);  // the title as the teacher typed it
  auto* alsoResults = new QCheckBox(tr("Also delete the results imported for it"), &box);
  box.setCheckBox(alsoResults);
  box.setObjectName(QStringLiteral("confirmDeleteSet"));
  if (box.exec() == QMessageBox::Yes) deleteSet(currentSetId(), alsoResults->isChecked());
}

bool TeacherResultsPanel::deleteSet(qint64 setId, bool deleteResults) {
  if (!services_.isUnlocked()) return false;
  return services_.messages->run([&] {
    services_.context->classroom().deleteSet(setId, deleteResults);
    refreshSets();
    services_.messages->showInfo(deleteResults ? tr("The set and its imported results were deleted.")
                                               : tr("The set was deleted; its imported results are kept."));
  });
}

void TeacherResultsPanel::askForResultsFiles() {
  const QStringList files = QFileDialog::getOpenFileNames(this, tr("Import results"), {}, tr("Results files (*.json)"));
  for (const QString& f : files) importResults(f);
}

void TeacherResultsPanel::askForCsvFile() {
  const QString f = QFileDialog::getSaveFileName(this, tr("Export class grid"), {}, tr("CSV files (*.csv)"));
  if (!f.isEmpty()) exportCsv(f);
}

}  // namespace zaya::ui
