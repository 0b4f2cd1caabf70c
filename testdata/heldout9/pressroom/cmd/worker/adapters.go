package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"sync"

	"github.com/syumai/workers/cloudflare/fetch"

	"example.com/pressroom/internal/archive"
	"example.com/pressroom/internal/campaigns"
	"example.com/pressroom/internal/editor"
	"example.com/pressroom/internal/web"
)

// lazyHandler builds the app on the first request, when bindings exist.
type lazyHandler struct{}

var handler = sync.OnceValues(func() (http.Handler, error) {
	d, err := app()
	if err != nil {
		return nil, err
	}
	return web.New(d.web), nil
})

func (lazyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, err := handler()
	if err != nil {
		logger.Error("startup", "err", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

// api is a JSON-over-HTTP client for our internal services and the mail provider.
type api struct{ base, key string }

func (a api) call(ctx context.Context, path string, in, out any) error {
	b, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.key != "" {
		req.Header.Set("Authorization", "Bearer "+a.key)
	}
	resp, err := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s%s: %s", a.base, path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

type mailer struct{ api }

func (m mailer) SendConfirmation(ctx context.Context, tenant, email, code string) error {
	return m.call(ctx, "/transactional", map[string]string{"template": "confirm", "tenant": tenant, "to": email, "code": code}, nil)
}

func (m mailer) Send(ctx context.Context, c campaigns.Campaign, to []string) error {
	return m.call(ctx, "/batch", map[string]any{"campaign": c.ID, "subject": c.Subject, "html": c.Body, "to": to}, nil)
}

type audience struct{ api }

func (a audience) Recipients(ctx context.Context, tenant string) ([]string, error) {
	var out struct{ Emails []string }
	err := a.call(ctx, "/recipients", map[string]string{"tenant": tenant}, &out)
	return out.Emails, err
}

type accounts struct{ api }

func (a accounts) Verify(ctx context.Context, email, password string) (string, string, error) {
	var out struct{ Editor, Tenant string }
	if err := a.call(ctx, "/verify", map[string]string{"email": email, "password": password}, &out); err != nil {
		return "", "", fmt.Errorf("verify: %w", err)
	}
	if out.Editor == "" {
		return "", "", editor.ErrBadCredentials
	}
	return out.Editor, out.Tenant, nil
}

func (a api) cms(ctx context.Context, query string) (string, error) {
	var out json.RawMessage
	err := a.call(ctx, "/graphql", map[string]string{"query": query}, &out)
	return string(out), err
}

func renderIssue(is archive.Issue) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<article><h1>%s</h1>", html.EscapeString(is.Title))
	for _, para := range strings.Split(is.Body, "\n\n") {
		fmt.Fprintf(&b, "<p>%s</p>", html.EscapeString(para))
	}
	b.WriteString("</article>")
	return b.String()
}
