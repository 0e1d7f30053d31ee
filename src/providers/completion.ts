/** Completions: an adapter over the pure completion logic in engine/config/completion.ts. */
import * as vscode from 'vscode';
import { completionsAt, type CompletionKind } from '../engine/config/completion';

const KINDS: Record<CompletionKind, vscode.CompletionItemKind> = {
  property: vscode.CompletionItemKind.Property,
  parameter: vscode.CompletionItemKind.Field,
  value: vscode.CompletionItemKind.EnumMember,
  snippet: vscode.CompletionItemKind.Snippet,
  target: vscode.CompletionItemKind.Reference,
};

export const experimentCompletions: vscode.CompletionItemProvider = {
  provideCompletionItems(document, position) {
    const offset = document.offsetAt(position);
    return completionsAt(document.getText(), offset).map((c) => {
      const item = new vscode.CompletionItem(c.label, KINDS[c.kind]);
      item.insertText = c.snippet ? new vscode.SnippetString(c.insertText) : c.insertText;
      item.range = new vscode.Range(document.positionAt(c.replaceStart), position);
      item.detail = c.detail;
      if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
      if (c.sortText) item.sortText = c.sortText;
      return item;
    });
  },
};

/** Typing these opens the suggestion list: a space after `key:`, a list or map opener, a comma. */
export const COMPLETION_TRIGGERS = [' ', '[', '{', ','];
