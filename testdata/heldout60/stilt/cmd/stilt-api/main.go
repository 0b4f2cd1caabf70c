// Command stilt-api serves the control plane's JSON API.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/go-chi/httprate"
	"github.com/gorilla/sessions"
	"golang.org/x/crypto/acme/autocert"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/framewell/stilt/internal/api"
	"github.com/framewell/stilt/internal/authz"
	"github.com/framewell/stilt/internal/certcache"
	"github.com/framewell/stilt/internal/jobs"
	"github.com/framewell/stilt/internal/kvstore"
	"github.com/framewell/stilt/internal/mfa"
	"github.com/framewell/stilt/internal/purge"
	"github.com/framewell/stilt/internal/ratelimit"
	"github.com/framewell/stilt/internal/uploadtoken"
	"github.com/framewell/stilt/internal/upstream"
	"github.com/framewell/stilt/internal/watch"
	"github.com/framewell/stilt/internal/websession"
)

// directory authenticates against the identity provider's password
// endpoint.
type directory struct {
	url  string
	http *http.Client
}

func (d *directory) Authenticate(ctx context.Context, email, password string) (string, error) {
	form := url.Values{"email": {email}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url+"/v1/authenticate", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := d.http.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct {
		UserID string `json:"user_id"`
	}
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&out) != nil {
		return "", fmt.Errorf("idp: %s", res.Status)
	}
	return out.UserID, nil
}

func clientIP(r *http.Request) (string, error) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return "", err
	}
	if fwd := r.Header.Get("CF-Connecting-IP"); fwd != "" {
		host = fwd
	}
	return httprate.CanonicalizeIP(host), nil
}

func main() {
	var (
		addr          = flag.String("addr", ":8443", "listen address")
		env           = flag.String("env", "prod", "deployment environment")
		account       = flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
		nsSessions    = flag.String("kv-sessions", "", "namespace ID for web and watch sessions")
		nsJobs        = flag.String("kv-jobs", "", "namespace ID for jobs and purge logs")
		nsAuth        = flag.String("kv-auth", "", "namespace ID for MFA, policy and upload grants")
		nsEdge        = flag.String("kv-edge", "", "namespace ID for certificates, tokens and rate limits")
		sessionMaxAge = flag.Int("session-max-age", 8*3600, "studio session lifetime in seconds")
		uploadTTL     = flag.Duration("upload-token-lifetime", 2*time.Hour, "lifetime of upload tokens")
		watchIdle     = flag.Duration("watch-idle", 10*time.Minute, "watch session idle timeout")
		rpID          = flag.String("rp-id", "studio.framewell.tv", "WebAuthn relying party ID")
		domains       = flag.String("domains", "api.framewell.tv", "comma-separated TLS host names")
	)
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cf := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	sessNS := kvstore.Open(cf, *account, *nsSessions, "sessions")
	jobsNS := kvstore.Open(cf, *account, *nsJobs, "jobs")
	authNS := kvstore.Open(cf, *account, *nsAuth, "auth")
	edgeNS := kvstore.Open(cf, *account, *nsEdge, "edge")

	jobsView, err := kvstore.NewCached(jobsNS, 64<<20, 5*time.Second)
	if err != nil {
		log.Fatal(err)
	}

	store := websession.NewStore(sessNS, sessions.Options{
		Path:     "/",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   *sessionMaxAge, // DEBATABLE kvttl
	}, 12*time.Hour)

	enforcer, err := authz.NewEnforcer(authNS)
	if err != nil {
		log.Fatalf("authz: %v", err)
	}

	passkeys, err := mfa.NewPasskeys(authNS, *rpID, []string{"https://" + *rpID})
	if err != nil {
		log.Fatalf("webauthn: %v", err)
	}

	encoderSrc := upstream.EncoderTokenSource(edgeNS, "oauth:encoder:token", &clientcredentials.Config{
		ClientID:     os.Getenv("ENCODER_CLIENT_ID"),
		ClientSecret: os.Getenv("ENCODER_CLIENT_SECRET"),
		TokenURL:     os.Getenv("ENCODER_URL") + "/oauth/token",
		Scopes:       []string{"jobs:write"},
	}, 30*time.Second)
	cdnSrc := upstream.CDNTokenSource(edgeNS, &oauth2.Config{
		ClientID:     os.Getenv("CDN_CLIENT_ID"),
		ClientSecret: os.Getenv("CDN_CLIENT_SECRET"),
		Endpoint:     oauth2.Endpoint{TokenURL: os.Getenv("CDN_URL") + "/oauth2/token"},
	}, os.Getenv("CDN_REFRESH_TOKEN"))

	srv := &api.Server{
		Sessions: store,
		Users:    &directory{url: os.Getenv("IDP_URL"), http: &http.Client{Timeout: 5 * time.Second}},
		Jobs:     jobs.NewService(jobsNS, jobsView),
		Watch:    watch.NewTracker(sessNS, *watchIdle),
		Uploads:  uploadtoken.NewIssuer(authNS, []byte(os.Getenv("UPLOAD_SIGNING_KEY")), "ingest.framewell.tv", *uploadTTL),
		TOTP:     mfa.NewTOTP(authNS, "Framewell Studio"),
		Passkeys: passkeys,
		Grants:   authz.NewGrants(enforcer),
		KV:       edgeNS,
		Purger: &purge.Purger{
			Client:   oauth2.NewClient(ctx, cdnSrc),
			Endpoint: os.Getenv("CDN_URL"),
			Log:      purge.NewLog(jobsNS, 180*24*time.Hour),
		},
		Encoder:    oauth2.NewClient(ctx, encoderSrc),
		EncoderURL: os.Getenv("ENCODER_URL"),
		HookSecret: os.Getenv("HOOK_SECRET"),
	}

	loginLimit := httprate.LimitBy(5, 10*time.Second, clientIP,
		httprate.WithLimitCounter(ratelimit.NewCounter(edgeNS, "login")))
	apiLimit := httprate.LimitBy(600, time.Minute, clientIP,
		httprate.WithLimitCounter(ratelimit.NewCounter(edgeNS, "api")))

	routes := srv.Routes()
	root := http.NewServeMux()
	root.Handle("/v1/login", loginLimit(routes))
	root.Handle("/v1/mfa/", loginLimit(routes))
	root.Handle("/hooks/", routes)
	root.Handle("/", apiLimit(routes))

	certs := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      certcache.New(edgeNS, *env),
		HostPolicy: autocert.HostWhitelist(strings.Split(*domains, ",")...),
	}
	hs := &http.Server{
		Addr:              *addr,
		Handler:           root,
		TLSConfig:         certs.TLSConfig(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := hs.ListenAndServeTLS("", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	log.Printf("stilt-api listening on %s", *addr)

	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		log.Printf("shutdown: %v", err)
	}
}
