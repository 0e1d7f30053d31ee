/** Hovers: an adapter over engine/config/hover.ts. */
import * as vscode from 'vscode';
import { hoverAt } from '../engine/config/hover';
import type { ExperimentDocuments } from './experimentDocuments';

export function experimentHovers(documents: ExperimentDocuments): vscode.HoverProvider {
  return {
    provideHover(document, position) {
      const hover = hoverAt(documents.validation(document).root, document.offsetAt(position));
      if (!hover) return undefined;
      return new vscode.Hover(new vscode.MarkdownString(hover.contents), new vscode.Range(document.positionAt(hover.start), document.positionAt(hover.end)));
    },
  };
}
