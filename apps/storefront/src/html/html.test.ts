import { describe, expect, it } from 'vitest';
import { escapeHtml, html, jsonForScript, raw } from './html.ts';

describe('html template', () => {
  it('escapes interpolated text so it cannot open tags or leave attributes', () => {
    const title = `<script>alert("x")</script>' onmouseover='x`;
    expect(html`<p title="${title}">${title}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x</p>',
    );
  });

  it('passes nested fragments and raw markup through, and joins arrays', () => {
    const items = ['a&b', 'c'].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>${raw('<hr>')}`.value).toBe('<ul><li>a&amp;b</li><li>c</li></ul><hr>');
  });

  it('renders nothing for null, undefined and false, and numbers as text', () => {
    expect(html`${null}${undefined}${false}${0}${true}`.value).toBe('0true');
  });

  it('keeps JSON for a script block from closing it', () => {
    expect(jsonForScript({ t: '</script><b>&' }).value).not.toMatch(/<|>|&/);
    expect(escapeHtml('`')).toBe('&#96;');
  });
});
