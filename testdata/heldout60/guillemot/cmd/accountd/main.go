// Command accountd is the forum's account service: sign-in, sessions,
// passkeys, magic links and the admin endpoints.
package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/cloudflare/cloudflare-go"
	"github.com/go-chi/httprate"
	"github.com/go-webauthn/webauthn/webauthn"
	"golang.org/x/crypto/acme/autocert"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/forumworks/guillemot/internal/accounts"
	"github.com/forumworks/guillemot/internal/auth"
	"github.com/forumworks/guillemot/internal/authz"
	"github.com/forumworks/guillemot/internal/certcache"
	"github.com/forumworks/guillemot/internal/kv"
	"github.com/forumworks/guillemot/internal/ratelimit"
	"github.com/forumworks/guillemot/internal/sessionkv"
	"github.com/forumworks/guillemot/internal/upstream"
)

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Fatalf("accountd: %s is not set", name)
	}
	return v
}

func mustHex(name string) []byte {
	b, err := hex.DecodeString(mustEnv(name))
	if err != nil {
		log.Fatalf("accountd: %s: %v", name, err)
	}
	return b
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// clientIP keys rate limits by the visitor's address as seen by Cloudflare.
func clientIP(r *http.Request) (string, error) {
	return httprate.CanonicalizeIP(r.Header.Get("CF-Connecting-IP")), nil
}

// mailClient sends mail through the provider's HTTP API; its client carries
// the OAuth token.
type mailClient struct{ http *http.Client }

func (m mailClient) Send(ctx context.Context, to, subject, body string) error {
	payload, _ := json.Marshal(map[string]any{"from": "Guillemot Forum <no-reply@forum.example>", "to": []string{to}, "subject": subject, "text": body})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://api.mailprovider.example/v3/send", bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("mail provider: %s", resp.Status)
	}
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	api, err := cloudflare.NewWithAPIToken(mustEnv("CF_API_TOKEN"), cloudflare.UsingRateLimit(4))
	check(err)
	account := mustEnv("CF_ACCOUNT_ID")
	accountsNS := kv.Open(api, account, mustEnv("KV_ACCOUNTS"), "accounts")
	authNS := kv.Open(api, account, mustEnv("KV_AUTH"), "auth")
	sessionsNS := kv.Open(api, account, mustEnv("KV_SESSIONS"), "sessions")
	profilesNS := kv.Open(api, account, mustEnv("KV_PROFILES"), "profiles")
	infraNS := kv.Open(api, account, mustEnv("KV_INFRA"), "infra")

	cached, err := kv.NewCached(accountsNS, 64<<20, 30*time.Second)
	check(err)
	dir := accounts.NewDirectory(cached, profilesNS)
	store := sessionkv.New(sessionsNS, mustHex("SESSION_HASH_KEY"), mustHex("SESSION_BLOCK_KEY"))

	wa, err := webauthn.New(&webauthn.Config{
		RPID:          "forum.example",
		RPDisplayName: "Guillemot Forum",
		RPOrigins:     []string{"https://forum.example"},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: time.Minute, TimeoutUVD: time.Minute},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: 5 * time.Minute, TimeoutUVD: 5 * time.Minute},
		},
	})
	check(err)

	mailTokens := upstream.NewShared(infraNS, "mailer", &clientcredentials.Config{
		ClientID:     mustEnv("MAIL_CLIENT_ID"),
		ClientSecret: mustEnv("MAIL_CLIENT_SECRET"),
		TokenURL:     "https://auth.mailprovider.example/oauth/token",
		Scopes:       []string{"mail.send"},
	})
	mailer := mailClient{http: oauth2.NewClient(ctx, mailTokens)}
	svc := auth.NewService(dir, authNS, sessionsNS, store, wa, mailer, mustHex("TOKEN_SIGNING_KEY"), "https://forum.example")

	m, err := model.NewModelFromString(authz.Model)
	check(err)
	enforcer, err := casbin.NewEnforcer(m, authz.NewAdapter(infraNS))
	check(err)

	srv := &server{dir: dir, svc: svc, enforcer: enforcer, infra: infraNS}

	loginLimit := httprate.LimitBy(10, time.Minute, clientIP,
		httprate.WithLimitCounter(ratelimit.NewCounter(infraNS, "login")))
	magicLimit := httprate.LimitBy(
		100,
		20*time.Second,             // EXPECT kvttl
		httprate.Key("magic-link"), // EXPECT kvhotkey
		httprate.WithLimitCounter(ratelimit.NewCounter(infraNS, "magic")),
	)

	mux := http.NewServeMux()
	mux.Handle("POST /login", loginLimit(auth.Handler(svc.PasswordLogin)))
	mux.Handle("POST /login/totp", loginLimit(auth.Handler(svc.VerifyTOTP)))
	mux.Handle("POST /login/recovery", loginLimit(auth.Handler(svc.RedeemRecoveryCode)))
	mux.Handle("POST /login/email", magicLimit(auth.Handler(svc.RequestMagicLink)))
	mux.Handle("GET /login/email/redeem", auth.Handler(svc.RedeemMagicLink))
	mux.Handle("POST /login/passkey/begin", auth.Handler(svc.BeginPasskeyLogin))
	mux.Handle("POST /login/passkey/finish", auth.Handler(svc.FinishPasskeyLogin))
	mux.Handle("POST /logout", auth.Handler(svc.Logout))
	mux.Handle("POST /account/password", auth.Handler(svc.ChangePassword))
	mux.Handle("POST /account/totp", auth.Handler(svc.EnrollTOTP))
	mux.Handle("POST /account/totp/confirm", auth.Handler(svc.ConfirmTOTP))
	mux.Handle("GET /account/recovery-codes", auth.Handler(svc.RecoveryCodesLeft))
	mux.Handle("POST /account/passkeys/begin", auth.Handler(svc.BeginPasskeyRegistration))
	mux.Handle("POST /account/passkeys/finish", auth.Handler(svc.FinishPasskeyRegistration))
	mux.Handle("POST /app/token/refresh", auth.Handler(svc.RefreshAppToken))
	mux.Handle("POST /app/token/revoke", auth.Handler(svc.RevokeAppToken))
	mux.HandleFunc("GET /profiles/{handle}", srv.profile)
	mux.HandleFunc("POST /admin/categories/{category}/moderators", srv.grantModerator)

	usage := ratelimit.NewUsage(infraNS)
	certs := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist("accounts.forum.example"),
		Cache:      certcache.New(infraNS, "accounts"),
	}
	httpSrv := &http.Server{Addr: ":443", Handler: usage.Handler(mux), TLSConfig: certs.TLSConfig(), ReadHeaderTimeout: 10 * time.Second}

	go func() {
		for now := range time.Tick(time.Minute) {
			if err := usage.Flush(ctx, now.Add(-time.Minute)); err != nil {
				log.Printf("accountd: usage flush: %v", err)
			}
		}
	}()
	go func() { log.Print(http.ListenAndServe(":80", certs.HTTPHandler(nil))) }()
	go func() {
		if err := httpSrv.ListenAndServeTLS("", ""); !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = httpSrv.Shutdown(shutdownCtx)
}
