// Command korimako-admin is the publishing backend of the site builder. It
// serves the admin API and also runs one-off operator tasks:
//
//	korimako-admin serve
//	korimako-admin publish site.outline rev42
//	korimako-admin script maintenance.kvs
//	korimako-admin import-redirects redirects.tsv acme
//	korimako-admin export prefix/
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"math"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"github.com/korimako/korimako/internal/batch"
	"github.com/korimako/korimako/internal/editor"
	"github.com/korimako/korimako/internal/kvscript"
	"github.com/korimako/korimako/internal/kvstore"
	"github.com/korimako/korimako/internal/publish"
	"github.com/korimako/korimako/internal/settings"
	"github.com/korimako/korimako/internal/stats"
)

type app struct {
	token     string
	accountID string
	pubNS     string
	authNS    string

	content  *kvstore.Store
	auth     *kvstore.Store
	cf       *cloudflare.Client
	pub      *publish.Publisher
	sessions *editor.Sessions
	settings *settings.Service
	stats    *stats.Recorder
}

func newApp() *app {
	a := &app{
		token:     os.Getenv("CF_API_TOKEN"),
		accountID: os.Getenv("CF_ACCOUNT_ID"),
		pubNS:     os.Getenv("KV_PUBLISH_NS"),
		authNS:    os.Getenv("KV_AUTH_NS"),
	}
	a.content = kvstore.New(a.token, a.accountID, a.pubNS)
	a.auth = a.content.In(a.authNS)
	a.cf = cloudflare.NewClient(option.WithAPIToken(a.token))
	a.pub = publish.New(a.content, os.Stdout)
	a.sessions = editor.NewSessions(a.auth)
	cacheFor, err := time.ParseDuration(os.Getenv("PUBLIC_SETTINGS_TTL"))
	if err != nil {
		cacheFor = 5 * time.Minute
	}
	a.settings = settings.New(a.content, a.cf, a.accountID, cacheFor)
	a.stats = stats.NewRecorder(a.content)
	return a
}

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: korimako-admin serve|publish|script|import-redirects|export ...")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := newApp()

	var err error
	switch args := os.Args[2:]; os.Args[1] {
	case "serve":
		err = a.serve(ctx)
	case "publish":
		if len(args) != 2 {
			log.Fatal("usage: publish OUTLINE REV")
		}
		var src []byte
		if src, err = os.ReadFile(args[0]); err == nil {
			err = a.pub.Publish(ctx, string(src), args[1])
		}
	case "script":
		err = a.runScriptFile(ctx, args)
	case "import-redirects":
		err = a.importRedirects(ctx, args)
	case "export":
		err = a.export(ctx, args)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

func (a *app) runScriptFile(ctx context.Context, args []string) error {
	if len(args) < 1 {
		return errors.New("usage: script FILE [name=value ...]")
	}
	src, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	in := kvscript.New(a.content, os.Stdout)
	for _, kvp := range args[1:] {
		name, value, ok := strings.Cut(kvp, "=")
		if !ok {
			return fmt.Errorf("bad variable %q", kvp)
		}
		in.Let(name, value)
	}
	return in.Run(ctx, string(src))
}

// importRedirects loads a tab-separated "from to code" file exported from
// the previous hosting provider.
func (a *app) importRedirects(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("usage: import-redirects FILE SITE")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	bw := batch.NewBulkWriter(ctx, a.content, 20_000) // EXPECT kvlimits
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) < 2 {
			continue
		}
		code := "301"
		if len(fields) > 2 {
			code = fields[2]
		}
		bw.Put("redirects/"+args[1]+fields[0], fields[1]+" "+code, 0)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return bw.Close()
}

// export prints keys under a prefix as JSON lines, at most -max keys.
func (a *app) export(ctx context.Context, args []string) error {
	if len(args) < 1 {
		return errors.New("usage: export PREFIX [MAX]")
	}
	maxKeys := 50_000
	if len(args) > 1 {
		fmt.Sscan(args[1], &maxKeys)
	}
	it := a.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, a.pubNS, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(a.accountID),
		Prefix:    cloudflare.F(args[0]),
		Limit:     cloudflare.F(1000.0),
	})
	enc := json.NewEncoder(os.Stdout)
	n := 0
	for it.Next() && n < maxKeys {
		k := it.Current()
		if err := enc.Encode(map[string]any{"key": k.Name, "expiration": k.Expiration, "metadata": k.Metadata}); err != nil {
			return err
		}
		n++
	}
	return it.Err()
}

// auditScript runs on every admin API request.
var auditScript = strings.Join([]string{
	"set audit/{site}/{day}/{reqid} {line} 2592000",
	"set admin/last-activity {now}", // EXPECT kvhotkey
}, "\n")

func (a *app) serve(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /sites/{site}/publish", a.withSession(a.handlePublish))
	mux.HandleFunc("POST /sites/{site}/rollback", a.withSession(a.handleRollback))
	mux.HandleFunc("PUT /sites/{site}/settings/{field}", a.withSession(a.handleSetting))
	mux.HandleFunc("POST /sites/{site}/pages/{page}/lock", a.withSession(a.handleLock))
	mux.HandleFunc("POST /logout", a.handleLogout)

	srv := &http.Server{Addr: ":8080", Handler: mux}
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := a.stats.Flush(ctx); err != nil {
					log.Printf("stats flush: %v", err)
				}
			}
		}
	}()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type sessionHandler func(w http.ResponseWriter, r *http.Request, sess *editor.Session)

func (a *app) withSession(h sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("kmk_session")
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		sess, err := a.sessions.Load(r.Context(), c.Value)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		if err := a.sessions.Touch(r.Context(), c.Value, sess); err != nil {
			log.Printf("touch session: %v", err)
		}
		site := r.PathValue("site")
		a.stats.Hit(site)
		now := time.Now().UTC()
		err = kvscript.New(a.content, nil).
			Let("site", site).
			Let("day", now.Format("20060102")).
			Let("reqid", fmt.Sprintf("%d", now.UnixNano())).
			Let("line", sess.Email+" "+r.Method+" "+r.URL.Path).
			Let("now", now.Format(time.RFC3339)).
			Run(r.Context(), auditScript)
		if err != nil {
			log.Printf("audit: %v", err)
		}
		h(w, r, sess)
	}
}

func (a *app) handlePublish(w http.ResponseWriter, r *http.Request, _ *editor.Session) {
	var body struct {
		Outline string `json:"outline"`
		Rev     string `json:"rev"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q, err := stats.LoadQuota(r.Context(), a.content, r.PathValue("site"), 200)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if ok, err := q.UseBuild(r.Context()); err != nil || !ok {
		http.Error(w, "build quota used up", http.StatusTooManyRequests)
		return
	}
	start := time.Now()
	if err := a.pub.Publish(r.Context(), body.Outline, body.Rev); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	used, _ := strconv.Atoi(r.Header.Get("X-Build-Minutes-Used"))
	minutes := int(math.Ceil(time.Since(start).Minutes()))
	if err := stats.ChargeMinutes(r.Context(), a.content, r.PathValue("site"), used, minutes); err != nil {
		log.Printf("charge build minutes: %v", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) handleRollback(w http.ResponseWriter, r *http.Request, _ *editor.Session) {
	if err := a.pub.Rollback(r.Context(), r.PathValue("site")); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) handleSetting(w http.ResponseWriter, r *http.Request, _ *editor.Session) {
	var v struct {
		Value string `json:"value"`
	}
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	site, field := r.PathValue("site"), r.PathValue("field")
	var err error
	if field == "subdomain" {
		err = a.settings.ClaimSubdomain(r.Context(), site, v.Value)
	} else {
		err = a.settings.SetField(r.Context(), site, field, v.Value)
	}
	if errors.Is(err, settings.ErrTaken) {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) handleLock(w http.ResponseWriter, r *http.Request, sess *editor.Session) {
	desk := editor.NewDesk(a.content, r.PathValue("site"))
	err := desk.Lock(r.Context(), r.PathValue("page"), sess.UserID, 5*time.Minute)
	if locked, ok := errors.AsType[*editor.ErrLocked](err); ok {
		http.Error(w, locked.Error(), http.StatusLocked)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) handleLogout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("kmk_session")
	if err == nil {
		if err := a.sessions.Logout(r.Context(), c.Value); err != nil {
			log.Printf("logout: %v", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "kmk_session", Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
