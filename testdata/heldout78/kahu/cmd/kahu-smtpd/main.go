// Command kahu-smtpd runs the SMTP relay, the bounce webhook and the
// certificate renewer.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/emersion/go-smtp"

	"kahu/internal/account"
	"kahu/internal/acme"
	"kahu/internal/bounce"
	"kahu/internal/filter"
	"kahu/internal/kv"
	"kahu/internal/mail"
	"kahu/internal/policy"
	"kahu/internal/smtpd"
)

func getenv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func duration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		log.Printf("config: %s=%q is not a duration, using %s", name, v, def)
	}
	return def
}

const overridePageSize = 5000

// loadOverrides reads per-customer daily limits set by support.
func loadOverrides(ctx context.Context, ns kv.Namespace) (map[string]int, error) {
	out := map[string]int{}
	cursor := ""
	for page := 0; page < 10; page++ {
		p, err := ns.ListPage(ctx, "limit-override:", cursor,
			overridePageSize) // EXPECT kvlimits
		if err != nil {
			return nil, err
		}
		for _, k := range p.Keys {
			if meta, ok := k.Metadata.(map[string]any); ok {
				if n, ok := meta["daily"].(float64); ok {
					out[strings.TrimPrefix(k.Name, "limit-override:")] = int(n)
				}
			}
		}
		if p.Cursor == "" {
			break
		}
		cursor = p.Cursor
	}
	return out, nil
}

type stdoutQueue struct{}

func (stdoutQueue) Enqueue(ctx context.Context, msg *mail.Message) error {
	log.Printf("queued %s from %s to %d recipients", msg.QueueID, msg.From, len(msg.Recipients))
	return nil
}

type noStats struct{}

func (noStats) DeliveryStats(context.Context, string, time.Time) (int, int, int, error) {
	return 0, 0, 0, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	client, err := kv.NewClient(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"))
	if err != nil {
		log.Fatal(err)
	}
	ns := func(env string) kv.Namespace { return client.Namespace(os.Getenv(env)) }
	var (
		accounts = ns("KV_ACCOUNTS")
		sessions = ns("KV_SESSIONS")
		grey     = ns("KV_GREYLIST")
		limits   = ns("KV_LIMITS")
		delivery = ns("KV_DELIVERY")
		domains  = ns("KV_DOMAINS")
		supp     = ns("KV_SUPPRESSIONS")
		cache    = ns("KV_CACHE")
		acmeNS   = ns("KV_CHALLENGES")
	)

	overrides, err := loadOverrides(ctx, limits)
	if err != nil {
		log.Fatal(err)
	}
	defaultDaily, _ := strconv.Atoi(getenv("KAHU_DAILY_LIMIT", "10000"))
	dailyLimit := func(customer string) int {
		if n, ok := overrides[customer]; ok {
			return n
		}
		return defaultDaily
	}

	suppressions := policy.Suppressions{NS: supp}
	specs := map[string]policy.Spec{
		"verified":   policy.SenderDomainVerified{Domains: domains},
		"blocked":    policy.DomainBlocked{Domains: domains},
		"suppressed": policy.Not(suppressions.NoneSuppressed()),
		"quota":      policy.WithinDailyQuota{Quotas: limits, Limit: dailyLimit},
		"reputation": policy.Reputation{
			Cache:        cache,
			Stats:        noStats{},
			MaxBounce:    0.05,
			MaxComplaint: 0.001,
			CacheFor:     duration("KAHU_REPUTATION_CACHE", 15*time.Minute),
		},
	}
	chain, err := filter.Assemble(getenv("KAHU_FILTERS", "size,dedupe;policy:verified,!blocked,reputation;suppress,quota"), filter.Deps{
		Dedupe:       cache,
		Quotas:       limits,
		Suppressions: suppressions,
		Policies:     specs,
		DailyLimit:   dailyLimit,
		DedupeWindow: duration("KAHU_DEDUPE_WINDOW", 24*time.Hour),
		MaxSize:      25 << 20,
	})
	if err != nil {
		log.Fatal(err)
	}

	lists := bounce.Lists{Supp: supp, History: delivery}
	classifiers := bounce.Chain(
		&bounce.AutoReply{},
		&bounce.Complaint{Lists: lists},
		&bounce.HardBounce{Lists: lists},
		&bounce.MailboxFull{Lists: lists},
		&bounce.SoftBounce{Lists: lists, Threshold: 5},
	)
	returnDomain := getenv("KAHU_RETURN_DOMAIN", "rp.kahu.email")
	proc := &bounce.Processor{
		Chain:  classifiers,
		Status: delivery,
		Decoder: func(local string) (string, string, string, bool) {
			// bounces+<customer>=<queue>=<rcpt local>=<rcpt domain>
			rest, ok := strings.CutPrefix(local, "bounces+")
			if !ok {
				return "", "", "", false
			}
			f := strings.SplitN(rest, "=", 4)
			if len(f) != 4 {
				return "", "", "", false
			}
			return f[0], f[1], f[2] + "@" + f[3], true
		},
	}

	be := &smtpd.Backend{
		Accounts:      accounts,
		Sessions:      sessions,
		Greylist:      grey,
		Limits:        limits,
		Delivery:      delivery,
		Chain:         chain,
		Queue:         stdoutQueue{},
		Bounces:       proc,
		ReturnDomain:  returnDomain,
		MaxConnPerMin: 120,
		SessionTTL:    duration("KAHU_SMTP_SESSION_TTL", time.Hour),
		Grey: smtpd.Greylisting{
			Delay:   duration("KAHU_GREY_DELAY", 5*time.Minute),
			Expire:  duration("KAHU_GREY_EXPIRE", 4*time.Hour),
			PassFor: duration("KAHU_GREY_PASS", 36*24*time.Hour),
		},
	}
	srv := smtp.NewServer(be)
	srv.Addr = getenv("KAHU_SMTP_ADDR", ":587")
	srv.Domain = getenv("KAHU_HOSTNAME", "mx.kahu.email")
	srv.ReadTimeout = 2 * time.Minute
	srv.WriteTimeout = 2 * time.Minute
	srv.MaxMessageBytes = 25 << 20
	srv.MaxRecipients = 500
	srv.AllowInsecureAuth = os.Getenv("KAHU_INSECURE_AUTH") == "1"

	acct := &account.Service{Auth: sessions, BaseURL: getenv("KAHU_DASHBOARD_URL", "https://app.kahu.email")}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/events/bounces", proc)
	mux.HandleFunc("POST /login/{code}", func(w http.ResponseWriter, r *http.Request) {
		s, err := acct.Redeem(r.Context(), r.PathValue("code"))
		if errors.Is(err, account.ErrInvalidLink) {
			http.Error(w, err.Error(), http.StatusGone)
			return
		}
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "kahu_sess", Value: s.ID, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	httpSrv := &http.Server{Addr: getenv("KAHU_HTTP_ADDR", ":8080"), Handler: mux}

	renewer := &acme.Renewer{NS: acmeNS, Certs: acmeNS, Node: getenv("HOSTNAME", "kahu-0"), Window: 30 * 24 * time.Hour}
	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		cursor := ""
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			hosts, next, err := renewer.Due(ctx, cursor)
			if err != nil {
				log.Printf("acme: scan: %v", err)
				continue
			}
			cursor = next
			for _, h := range hosts {
				rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
				if err := renewer.Renew(rctx, h); err != nil {
					log.Printf("acme: renew %s: %v", h, err)
				}
				cancel()
			}
		}
	}()

	go func() {
		if err := httpSrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	go func() {
		log.Printf("smtp listening on %s", srv.Addr)
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = httpSrv.Shutdown(shutdown)
	_ = srv.Shutdown(shutdown)
}
