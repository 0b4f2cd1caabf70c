// Package dlgate is the Caddy handler in front of /d/<link-id>. It checks the
// link's signature and expiry, applies a per-client rate limit, consumes
// one-time tokens, and rewrites the request to the object's R2 path for the
// reverse proxy that follows it.
package dlgate

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/magpie-media/magpie/caddy/kvpool"
	"github.com/magpie-media/magpie/internal/kvrest"
)

func init() {
	caddy.RegisterModule(Gate{})
	httpcaddyfile.RegisterHandlerDirective("magpie_download", parseCaddyfile)
}

// Gate is the magpie_download handler.
type Gate struct {
	Namespace kvpool.Config `json:"namespace"`
	// Secret signs links; placeholders are expanded ({env.LINK_SECRET}).
	Secret string `json:"secret"`
	// LinkID is a placeholder expression yielding the link id.
	LinkID string `json:"link_id,omitempty"`
	// RateLimit is the number of downloads a client may start per RateWindow.
	RateLimit  int            `json:"rate_limit,omitempty"`
	RateWindow caddy.Duration `json:"rate_window,omitempty"`
	// AuditFor is how long the per-link audit trail is kept.
	AuditFor caddy.Duration `json:"audit_for,omitempty"`

	ns     *kvrest.Namespace
	secret []byte
	log    *zap.Logger

	egressMu *sync.Mutex
	egress   map[string]int64 // owner -> bytes since last flush
}

// CaddyModule returns the Caddy module information.
func (Gate) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.magpie_download",
		New: func() caddy.Module { return new(Gate) },
	}
}

// Provision sets up the gate.
func (g *Gate) Provision(ctx caddy.Context) error {
	g.log = ctx.Logger()
	ns, err := kvpool.Acquire(g.Namespace)
	if err != nil {
		return err
	}
	g.ns = ns
	g.secret = []byte(caddy.NewReplacer().ReplaceAll(g.Secret, ""))
	if g.LinkID == "" {
		g.LinkID = "{http.request.uri.path.1}"
	}
	if g.RateLimit == 0 {
		g.RateLimit = 30
	}
	if g.RateWindow == 0 {
		g.RateWindow = caddy.Duration(time.Minute)
	}
	if g.AuditFor == 0 {
		g.AuditFor = caddy.Duration(30 * 24 * time.Hour)
	}
	g.egress = make(map[string]int64)
	g.egressMu = new(sync.Mutex)
	return nil
}

// Validate checks the configuration.
func (g *Gate) Validate() error {
	if len(g.secret) < 16 {
		return fmt.Errorf("magpie_download: secret must be at least 16 bytes")
	}
	return g.Namespace.Validate()
}

// Cleanup writes the egress tallies and releases the namespace.
func (g *Gate) Cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	g.egressMu.Lock()
	defer g.egressMu.Unlock()
	for owner, n := range g.egress {
		if err := g.ns.Put(ctx, "quota:egress:"+owner, []byte(strconv.FormatInt(n, 10)), 0); err != nil { // EXPECT kvcounter
			g.log.Warn("egress flush", zap.String("owner", owner), zap.Error(err))
		}
	}
	return kvpool.Release(g.Namespace)
}

// link mirrors downloads.Link; the gate only needs these fields.
type link struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"`
	Owner     string    `json:"owner"`
	Filename  string    `json:"filename"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (g *Gate) verify(id, exp, sig string) bool {
	mac := hmac.New(sha256.New, g.secret)
	fmt.Fprintf(mac, "%s|%s", id, exp)
	want := hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(sig))
}

func clientIP(r *http.Request) string {
	if ip, ok := caddyhttp.GetVar(r.Context(), caddyhttp.ClientIPVarKey).(string); ok && ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// ServeHTTP implements caddyhttp.MiddlewareHandler.
func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	repl := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer)
	id := repl.ReplaceAll(g.LinkID, "")
	ctx := r.Context()

	if err := g.limit(ctx, clientIP(r)); err != nil {
		return err
	}

	var l link
	if tok := r.URL.Query().Get("t"); tok != "" {
		if err := g.ns.GetJSON(ctx, "dltoken:"+tok, &l); err != nil {
			if kvrest.IsNotFound(err) {
				return caddyhttp.Error(http.StatusGone, err)
			}
			return caddyhttp.Error(http.StatusBadGateway, err)
		}
		if err := g.ns.Delete(ctx, "dltoken:"+tok); err != nil { // EXPECT kvsession
			return caddyhttp.Error(http.StatusBadGateway, err)
		}
	} else {
		q := r.URL.Query()
		if !g.verify(id, q.Get("e"), q.Get("s")) {
			return caddyhttp.Error(http.StatusForbidden, fmt.Errorf("bad signature for %s", id))
		}
		if err := g.ns.GetJSON(ctx, "link:"+id, &l); err != nil {
			if kvrest.IsNotFound(err) {
				return caddyhttp.Error(http.StatusNotFound, err)
			}
			return caddyhttp.Error(http.StatusBadGateway, err)
		}
	}
	if time.Now().After(l.ExpiresAt) {
		return caddyhttp.Error(http.StatusGone, fmt.Errorf("link %s expired", l.ID))
	}
	if _, err := g.ns.Get(ctx, "revoked:"+l.ID); err == nil {
		return caddyhttp.Error(http.StatusGone, fmt.Errorf("link %s revoked", l.ID))
	}

	repl.Set("magpie.download.object", l.Object)
	caddyhttp.SetVar(ctx, "magpie_download_owner", l.Owner)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", l.Filename))

	rec := &countingWriter{ResponseWriter: w}
	err := next.ServeHTTP(rec, r)

	g.egressMu.Lock()
	g.egress[l.Owner] += rec.n
	g.egressMu.Unlock()

	entry := fmt.Sprintf("%s %s %d\n", time.Now().UTC().Format(time.RFC3339), clientIP(r), rec.n)
	go g.audit(l.ID, entry)
	if err := g.ns.Put(ctx, "dl:served:"+l.ID, []byte(strconv.FormatInt(time.Now().Unix(), 10)), 7*24*time.Hour); err != nil { // DEBATABLE kvhotkey
		g.log.Debug("served marker", zap.Error(err))
	}
	return err
}

// limit allows RateLimit downloads per client per RateWindow.
func (g *Gate) limit(ctx context.Context, ip string) error {
	window := time.Duration(g.RateWindow)
	bucket := time.Now().Truncate(window).Unix()
	key := fmt.Sprintf("ratelimit:dl:%s:%d", ip, bucket)
	n := 0
	raw, err := g.ns.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !kvrest.IsNotFound(err):
		return caddyhttp.Error(http.StatusBadGateway, err)
	}
	if n >= g.RateLimit {
		return caddyhttp.Error(http.StatusTooManyRequests, fmt.Errorf("rate limit for %s", ip))
	}
	return g.ns.Put(ctx, key, []byte(strconv.Itoa(n+1)), max(2*window, time.Minute)) // EXPECT kvcounter|kvrace
}

// audit appends one line to the link's download trail.
func (g *Gate) audit(linkID, entry string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key := "dl:audit:" + linkID
	prev, err := g.ns.Get(ctx, key)
	if err != nil && !kvrest.IsNotFound(err) {
		return
	}
	trail := string(prev) + entry
	if err := g.ns.Put(ctx, key, []byte(trail), time.Duration(g.AuditFor)); err != nil { // EXPECT kvrace
		g.log.Warn("audit", zap.String("link", linkID), zap.Error(err))
	}
}

type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	magpie_download {
//	    namespace <account> <id> { token {env.CF_API_TOKEN} }
//	    secret {env.LINK_SECRET}
//	    link_id {http.request.uri.path.1}
//	    rate_limit 30 1m
//	    audit_for 720h
//	}
func (g *Gate) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next()
	for d.NextBlock(0) {
		switch d.Val() {
		case "namespace":
			if err := g.Namespace.UnmarshalCaddyfile(d); err != nil {
				return err
			}
		case "secret":
			if !d.Args(&g.Secret) {
				return d.ArgErr()
			}
		case "link_id":
			if !d.Args(&g.LinkID) {
				return d.ArgErr()
			}
		case "rate_limit":
			var n, win string
			if !d.Args(&n, &win) {
				return d.ArgErr()
			}
			limit, err := strconv.Atoi(n)
			if err != nil {
				return d.Errf("rate_limit: %v", err)
			}
			dur, err := caddy.ParseDuration(win)
			if err != nil {
				return d.Errf("rate_limit window: %v", err)
			}
			g.RateLimit, g.RateWindow = limit, caddy.Duration(dur)
		case "audit_for":
			var s string
			if !d.Args(&s) {
				return d.ArgErr()
			}
			dur, err := caddy.ParseDuration(s)
			if err != nil {
				return d.Errf("audit_for: %v", err)
			}
			g.AuditFor = caddy.Duration(dur)
		default:
			return d.Errf("unknown subdirective %q", d.Val())
		}
	}
	return nil
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	g := new(Gate)
	err := g.UnmarshalCaddyfile(h.Dispenser)
	return g, err
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Gate)(nil)
	_ caddy.Validator             = (*Gate)(nil)
	_ caddy.CleanerUpper          = (*Gate)(nil)
	_ caddyhttp.MiddlewareHandler = (*Gate)(nil)
	_ caddyfile.Unmarshaler       = (*Gate)(nil)
)
