package auth

import (
	"context"
	"errors"
	"log"
	"net/http"
	"strings"

	"github.com/toutouwai/booking/internal/csrf"
	"github.com/toutouwai/booking/internal/flash"
	"github.com/toutouwai/booking/internal/form"
	"github.com/toutouwai/booking/internal/ui"
)

// Mailer sends sign-in links.
type Mailer interface {
	SendLink(ctx context.Context, to, url string) error
}

// Handlers serves sign in and sign out.
type Handlers struct {
	M      *Manager
	Mailer Mailer
	Base   string
}

// LoginForm is the sign-in form post.
type LoginForm struct {
	Email    string `schema:"email" validate:"required,email,max=120"`
	Remember bool   `schema:"remember"`
}

// Register adds the auth routes.
func (h *Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", h.loginPage)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("GET /login/magic/{token}", h.magic)
	mux.HandleFunc("POST /logout", h.logout)
}

func anonID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie("tw_anon"); err == nil {
		return "anon-" + c.Value
	}
	id := NewID()[:22]
	http.SetCookie(w, &http.Cookie{Name: "tw_anon", Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return "anon-" + id
}

func (h *Handlers) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, err := h.M.Resume(w, r); err == nil {
		ui.Redirect(w, r, cmpOr(r.URL.Query().Get("next"), "/account"))
		return
	}
	sid := anonID(w, r)
	ui.Serve(w, r, http.StatusOK, "Sign in", flash.List(h.M.NS, sid), ui.Tag("form", `hx-post="/login" hx-target="this" hx-swap="outerHTML"`,
		csrf.Field(h.M.NS, sid, "login"),
		ui.Raw(`<label>Email <input name="email" type="email" required></label>`),
		ui.Raw(`<label><input name="remember" type="checkbox"> Keep me signed in</label><button>Email me a link</button>`),
	))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (h *Handlers) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sid := anonID(w, r)
	var f LoginForm
	if err := form.Decode(r, &f); err != nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
		ui.Fragment(w, r, ui.Rawf(`<p class="err">%s</p>`, err.Error()))
		return
	}
	if err := csrf.Check(r, h.M.NS, sid, "login"); err != nil {
		http.Error(w, "This form has expired. Reload the page.", http.StatusForbidden)
		return
	}
	staff := strings.HasSuffix(strings.ToLower(f.Email), "@toutouwai.example")
	link, err := h.M.SendMagicLink(ctx, f.Email, staff)
	if errors.Is(err, ErrTooManyAttempts) {
		ui.Fragment(w, r, ui.Raw(`<p class="notice">Too many attempts. Try again in 15 minutes.</p>`))
		return
	}
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if f.Remember {
		link += "?remember=1"
	}
	if err := h.Mailer.SendLink(ctx, f.Email, h.Base+link); err != nil {
		log.Printf("mail link: %v", err)
	}
	ui.Fragment(w, r, ui.Raw(`<p class="ok">Check your email for a sign-in link.</p>`))
}

func (h *Handlers) magic(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email, staff, err := h.M.RedeemMagicLink(ctx, r.PathValue("token"))
	if err != nil {
		_ = flash.Set(ctx, h.M.NS, anonID(w, r), flash.Message{Kind: flash.Error, Text: err.Error()})
		ui.Redirect(w, r, "/login")
		return
	}
	uid := "u-" + strings.NewReplacer("@", "_at_", ".", "_").Replace(strings.ToLower(email))
	s, err := h.M.Start(ctx, w, uid, email, staff)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if r.URL.Query().Get("remember") == "1" {
		if err := h.M.Remember(ctx, w, uid, email); err != nil {
			log.Printf("remember %s: %v", uid, err)
		}
	}
	_ = flash.Set(ctx, h.M.NS, s.ID, flash.Message{Kind: flash.Success, Text: "Welcome back!"})
	if staff {
		ui.Redirect(w, r, "/staff")
		return
	}
	ui.Redirect(w, r, "/account")
}

func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := h.M.Forget(ctx, w, r); err != nil {
		log.Printf("forget: %v", err)
	}
	if s, err := h.M.Load(r); err == nil {
		if err := h.M.End(ctx, w, s); err != nil {
			log.Printf("logout: %v", err)
		}
	}
	ui.Redirect(w, r, "/")
}
