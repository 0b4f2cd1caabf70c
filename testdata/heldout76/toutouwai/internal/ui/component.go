// Package ui holds the server-rendered components. Components are plain Go
// values with a Render method, in the style of templ, and handlers answer
// either a full page or an htmx fragment.
package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
)

// Component renders HTML to w.
type Component interface {
	Render(ctx context.Context, w io.Writer) error
}

// Func adapts a function to a Component.
type Func func(ctx context.Context, w io.Writer) error

// Render calls f.
func (f Func) Render(ctx context.Context, w io.Writer) error { return f(ctx, w) }

// Text renders s HTML-escaped.
func Text(s string) Component {
	return Func(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, html.EscapeString(s))
		return err
	})
}

// Raw renders s as is. Only for trusted markup.
func Raw(s string) Component {
	return Func(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	})
}

// Rawf renders formatted trusted markup; string arguments are escaped.
func Rawf(format string, args ...any) Component {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = html.EscapeString(s)
		}
	}
	return Raw(fmt.Sprintf(format, args...))
}

// Group renders components one after another.
func Group(cs ...Component) Component {
	return Func(func(ctx context.Context, w io.Writer) error {
		for _, c := range cs {
			if c == nil {
				continue
			}
			if err := c.Render(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
}

// Tag wraps children in an element with trusted attributes.
func Tag(name, attrs string, children ...Component) Component {
	return Func(func(ctx context.Context, w io.Writer) error {
		if attrs != "" {
			attrs = " " + attrs
		}
		if _, err := fmt.Fprintf(w, "<%s%s>", name, attrs); err != nil {
			return err
		}
		if err := Group(children...).Render(ctx, w); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "</%s>", name)
		return err
	})
}

// IsHX reports whether the request was made by htmx.
func IsHX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// IsBoosted reports whether htmx boosted a normal link or form.
func IsBoosted(r *http.Request) bool { return r.Header.Get("HX-Boosted") == "true" }

// Trigger sets HX-Trigger so the client fires the named events.
func Trigger(w http.ResponseWriter, events map[string]any) {
	b, err := json.Marshal(events)
	if err != nil {
		return
	}
	w.Header().Set("HX-Trigger", string(b))
}

// Redirect sends the browser to url, with HX-Redirect for htmx requests.
func Redirect(w http.ResponseWriter, r *http.Request, url string) {
	if IsHX(r) {
		w.Header().Set("HX-Redirect", url)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// Page is the full document around body.
func Page(title string, flashes, body Component) Component {
	return Func(func(ctx context.Context, w io.Writer) error {
		if _, err := fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>%s</title>`+
			`<script src="/static/htmx.min.js" defer></script><link rel="stylesheet" href="/static/site.css"></head>`+
			`<body hx-boost="true"><main id="main">`, html.EscapeString(title)); err != nil {
			return err
		}
		if err := Group(Tag("div", `id="flashes"`, flashes), body).Render(ctx, w); err != nil {
			return err
		}
		_, err := io.WriteString(w, `</main></body></html>`)
		return err
	})
}

// Serve writes body as a fragment for htmx requests and as a full page
// otherwise.
func Serve(w http.ResponseWriter, r *http.Request, status int, title string, flashes, body Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Add("Vary", "HX-Request")
	var c Component = body
	if !IsHX(r) || IsBoosted(r) {
		c = Page(title, flashes, body)
	} else if flashes != nil {
		c = Group(body, Tag("div", `id="flashes" hx-swap-oob="true"`, flashes))
	}
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		fmt.Fprintf(w, "<!-- render: %s -->", html.EscapeString(err.Error()))
	}
}

// Fragment writes a component with no page around it.
func Fragment(w http.ResponseWriter, r *http.Request, c Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := c.Render(r.Context(), w); err != nil {
		http.Error(w, "render failed", http.StatusInternalServerError)
	}
}
