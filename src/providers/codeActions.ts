/**
 * Quick fixes carried by the findings themselves: swap a reversed range, take a suggestion, add a
 * safety block, widen or re-centre a range on a measured value (a finding may offer several).
 */
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { ExperimentDocuments } from './experimentDocuments';

export function experimentQuickFixes(documents: ExperimentDocuments): vscode.CodeActionProvider {
  return {
    provideCodeActions(document, _range, context) {
      const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
      if (ours.length === 0) return [];
      const findings = documents.validation(document).findings;
      const actions: vscode.CodeAction[] = [];
      for (const diagnostic of ours) {
        const start = document.offsetAt(diagnostic.range.start);
        const end = document.offsetAt(diagnostic.range.end);
        const finding = findings.find((f) => f.start === start && f.end === end && f.code === diagnostic.code);
        if (!finding?.fix) continue;
        for (const [index, fix] of [finding.fix, ...(finding.moreFixes ?? [])].entries()) {
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.diagnostics = [diagnostic];
          action.isPreferred = index === 0;
          action.edit = new vscode.WorkspaceEdit();
          if (fix.kind === 'replace') action.edit.replace(document.uri, new vscode.Range(document.positionAt(fix.start), document.positionAt(fix.end)), fix.newText);
          else action.edit.insert(document.uri, document.positionAt(fix.offset), fix.newText);
          actions.push(action);
        }
      }
      return actions;
    },
  };
}

export const QUICK_FIX_METADATA: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };
