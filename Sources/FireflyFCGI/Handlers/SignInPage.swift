import FireflyCore
import FireflyHTTPClient
import FireflyIdentity

/// The sign-in page shown when several identity providers are configured: one button per provider
/// (its display name), and an email field whose domain picks the provider its organization uses
/// (the address goes on as `login_hint`). Same look as the web application (Bootstrap and its
/// stylesheet), no script, so it works with the strict CSP, by keyboard and with a screen reader.
enum SignInPage {
    static func response(providers: [OIDCProviderSettings], returnTo: String, loginHint: String?) -> Response {
        let escape = HTMLPage.escape
        let back = escape(FormEncoding.component(returnTo))
        let buttons = providers.map { provider in
            "<li><a class=\"btn btn-primary w-100\" href=\"/auth/login?provider=\(escape(FormEncoding.component(provider.name)))&amp;return_to=\(back)\">"
                + "Sign in with \(escape(provider.displayName))</a></li>"
        }.joined()
        let hint = loginHint.map { " value=\"\(escape(String($0.prefix(320))))\"" } ?? ""
        let unknownEmail = loginHint == nil ? "" : "<p class=\"text-body-secondary small\" role=\"status\">No single sign-in is known for that address; choose one above.</p>"
        let page = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in to FireFly</title><link rel="stylesheet" href="/javascript/bootstrap5/css/bootstrap.min.css">
            <link rel="stylesheet" href="/assets/css/app.css"></head>
            <body class="bg-body-tertiary"><main class="container py-5"><div class="card mx-auto signin-card"><div class="card-body p-4">
            <h1 class="h4 mb-3">Sign in to FireFly</h1>
            <p>Choose how your organization signs in:</p>
            <ul class="list-unstyled d-grid gap-2 mb-4" aria-label="Identity providers">\(buttons)</ul>
            <form method="get" action="/auth/login" class="border-top pt-3">
            <label for="login_hint" class="form-label">Or enter your work email address</label>
            <input id="login_hint" name="login_hint" type="email" class="form-control mb-2" autocomplete="email" required\(hint)>
            <input type="hidden" name="return_to" value="\(escape(returnTo))">
            <button type="submit" class="btn btn-outline-primary w-100">Continue</button>\(unknownEmail)
            </form></div></div></main></body></html>
            """
        return Response(status: 200, headers: [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")], body: Array(page.utf8))
    }
}
