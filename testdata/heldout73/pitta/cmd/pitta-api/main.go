// Command pitta-api serves the citizen booking API and the staff console of
// the City of Pitta's appointment service.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/mojocn/base64Captcha"
	"github.com/sethvargo/go-limiter/httplimit"

	"github.com/cityofpitta/pitta/internal/admin"
	"github.com/cityofpitta/pitta/internal/booking"
	"github.com/cityofpitta/pitta/internal/captchakv"
	"github.com/cityofpitta/pitta/internal/citizen"
	"github.com/cityofpitta/pitta/internal/kvstore"
	"github.com/cityofpitta/pitta/internal/offices"
	"github.com/cityofpitta/pitta/internal/ratekv"
	"github.com/cityofpitta/pitta/internal/sessionkv"
	"github.com/cityofpitta/pitta/internal/staff"
)

func main() {
	var (
		addr       = flag.String("addr", ":8080", "listen address")
		accountID  = flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
		bookingNS  = flag.String("kv-booking", os.Getenv("KV_BOOKING"), "namespace ID for bookings and slots")
		sessionNS  = flag.String("kv-sessions", os.Getenv("KV_SESSIONS"), "namespace ID for citizen sessions")
		consoleNS  = flag.String("kv-console", os.Getenv("KV_CONSOLE"), "namespace ID for the staff console")
		publicURL  = flag.String("public-url", "https://termine.pitta.example", "public base URL")
		perIP      = flag.Uint64("limit-ip", 60, "requests per minute per client IP")
		perCitizen = flag.Uint64("limit-citizen", 3, "bookings per week per citizen")
	)
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	bookingKV := kvstore.New(client, *accountID, *bookingNS, "booking")
	sessionKV := kvstore.New(client, *accountID, *sessionNS, "sessions")
	consoleKV := kvstore.New(client, *accountID, *consoleNS, "console")

	citizens := scs.New()
	citizens.Store = sessionkv.NewCitizenStore(sessionKV)
	citizens.Lifetime = 12 * time.Hour
	citizens.Cookie.Name = "pitta_session"
	citizens.Cookie.SameSite = http.SameSiteLaxMode
	citizens.Cookie.Secure = true

	staffSessions := scs.New()
	staffSessions.Store = sessionkv.NewStaffStore(client, *accountID, *consoleNS)
	staffSessions.Lifetime = 10 * time.Hour
	staffSessions.IdleTimeout = 20 * time.Minute
	staffSessions.Cookie.Name = "pitta_console"
	staffSessions.Cookie.Path = "/admin"
	staffSessions.Cookie.Secure = true

	ipLimits, err := ratekv.New(sessionKV, "ratelimit:ip:", *perIP, time.Minute)
	if err != nil {
		log.Error("ip limiter", "err", err)
		os.Exit(1)
	}
	citizenLimits, err := ratekv.New(bookingKV, "ratelimit:citizen:", *perCitizen, 7*24*time.Hour)
	if err != nil {
		log.Error("citizen limiter", "err", err)
		os.Exit(1)
	}
	limitMW, err := httplimit.NewMiddleware(ipLimits, httplimit.IPKeyFunc("CF-Connecting-IP"))
	if err != nil {
		log.Error("limiter middleware", "err", err)
		os.Exit(1)
	}

	captchaStore := captchakv.New(sessionKV, 2*time.Minute, log)
	captcha := base64Captcha.NewCaptcha(base64Captcha.NewDriverDigit(80, 240, 5, 0.7, 80), captchaStore)

	board := booking.NewBoard(bookingKV)
	svc := booking.NewService(bookingKV, board, citizenLimits, *publicURL)
	officeStore := offices.NewStore(bookingKV, registryClient{base: os.Getenv("REGISTRY_URL")})
	login := citizen.NewLogin(sessionKV, citizens, mailer{}, registryClient{base: os.Getenv("REGISTRY_URL")}, *publicURL, log)
	staffAuth := staff.NewAuth(consoleKV, staffSessions, directory{}, sms{}, log)
	console := admin.New(bookingKV, board, officeStore, staffSessions, log)

	api := &api{ns: bookingKV, board: board, svc: svc, offices: officeStore, login: login, captcha: captcha, log: log}

	public := http.NewServeMux()
	api.routes(public)
	public.HandleFunc("POST /login", login.Start)
	public.HandleFunc("GET /login/callback", login.Callback)
	public.HandleFunc("POST /logout", login.Logout)

	consoleMux := http.NewServeMux()
	console.Routes(consoleMux)
	consoleMux.HandleFunc("POST /admin/login", staffAuth.Password)
	consoleMux.HandleFunc("POST /admin/login/code", staffAuth.Code)
	consoleMux.HandleFunc("POST /admin/logout", staffAuth.Logout)
	consoleMux.HandleFunc("POST /admin/password", staffAuth.ChangePassword)

	root := http.NewServeMux()
	root.Handle("/admin/", staffSessions.LoadAndSave(consoleMux))
	root.Handle("/admin", staffSessions.LoadAndSave(consoleMux))
	root.Handle("/", limitMW.Handle(citizens.LoadAndSave(public)))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go nightly(ctx, bookingKV, officeStore, console, log)

	srv := &http.Server{Addr: *addr, Handler: root, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
		_ = ipLimits.Close(shutdown)
	}()
	log.Info("listening", "addr", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
