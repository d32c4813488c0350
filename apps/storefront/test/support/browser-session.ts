import type { HttpApp } from '@emporium/platform';

/** A browser without JavaScript over app.inject: keeps cookies, posts forms, follows nothing. */
export class FormBrowser {
  readonly cookies = new Map<string, string>();
  readonly app: HttpApp;
  readonly host: string;
  constructor(app: HttpApp, host = 'localhost') {
    this.app = app;
    this.host = host;
  }

  private remember(setCookie: string | string[] | undefined): void {
    for (const line of ([] as string[]).concat(setCookie ?? [])) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0
      ? {}
      : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async get(url: string) {
    const res = await this.app.inject({ url, headers: { host: this.host, ...this.cookieHeader() } });
    this.remember(res.headers['set-cookie']);
    return res;
  }

  async post(url: string, form: Record<string, string>) {
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: {
        host: this.host,
        'content-type': 'application/x-www-form-urlencoded',
        ...this.cookieHeader(),
      },
      payload: new URLSearchParams(form).toString(),
    });
    this.remember(res.headers['set-cookie']);
    return res;
  }
}

/** The value of the hidden or text input `name` in a page. */
export function inputValue(page: string, name: string): string {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(page)?.[0] ?? '';
  return /value="([^"]*)"/.exec(tag)?.[1] ?? '';
}
