// Package hotlink is a Caddy handler that protects image variants from
// hotlinking. Requests whose Referer is not on the allow list are counted per
// referring host, and hosts over the threshold are blocked for a while. Block
// records live in KV so the edge Worker honours them too.
package hotlink

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"go.uber.org/zap"

	"github.com/magpie-media/magpie/caddy/kvpool"
	"github.com/magpie-media/magpie/internal/kvrest"
)

func init() {
	caddy.RegisterModule(Guard{})
	httpcaddyfile.RegisterHandlerDirective("magpie_hotlink", parseCaddyfile)
}

// Guard is the magpie_hotlink handler.
type Guard struct {
	Namespace kvpool.Config `json:"namespace"`
	// Allow lists referring hosts that may embed images. "*.example.com"
	// matches subdomains.
	Allow []string `json:"allow,omitempty"`
	// Threshold is the number of foreign hits after which a host is blocked.
	Threshold int `json:"threshold,omitempty"`
	// BlockFor is how long a host stays blocked.
	BlockFor caddy.Duration `json:"block_for,omitempty"`
	// FlushEvery is how often the hit tallies are written to KV.
	FlushEvery caddy.Duration `json:"flush_every,omitempty"`

	ns   *kvrest.Namespace
	log  *zap.Logger
	mu   *sync.Mutex
	hits map[string]int
	stop context.CancelFunc
	done chan struct{}
}

// CaddyModule returns the Caddy module information.
func (Guard) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.magpie_hotlink",
		New: func() caddy.Module { return new(Guard) },
	}
}

// Provision sets up the guard.
func (g *Guard) Provision(ctx caddy.Context) error {
	g.log = ctx.Logger()
	ns, err := kvpool.Acquire(g.Namespace)
	if err != nil {
		return err
	}
	g.ns = ns
	if g.Threshold == 0 {
		g.Threshold = 200
	}
	if g.BlockFor == 0 {
		g.BlockFor = caddy.Duration(6 * time.Hour)
	}
	if g.FlushEvery == 0 {
		g.FlushEvery = caddy.Duration(5 * time.Minute)
	}
	g.hits = make(map[string]int)
	g.mu = new(sync.Mutex)
	bg, cancel := context.WithCancel(context.Background())
	g.stop, g.done = cancel, make(chan struct{})
	go g.flushLoop(bg)
	return nil
}

// Validate checks the configuration.
func (g *Guard) Validate() error {
	if len(g.Allow) == 0 {
		return errNoAllow
	}
	return g.Namespace.Validate()
}

// Cleanup stops the flusher and releases the namespace.
func (g *Guard) Cleanup() error {
	if g.stop != nil {
		g.stop()
		<-g.done
	}
	return kvpool.Release(g.Namespace)
}

type guardError string

func (e guardError) Error() string { return string(e) }

const errNoAllow = guardError("magpie_hotlink: at least one allowed referrer is required")

func (g *Guard) allowed(host string) bool {
	return slices.ContainsFunc(g.Allow, func(pat string) bool {
		if rest, ok := strings.CutPrefix(pat, "*."); ok {
			return host == rest || strings.HasSuffix(host, "."+rest)
		}
		return host == pat
	})
}

func blockKey(host string) string { return "hotlink:block:" + host }

// ServeHTTP implements caddyhttp.MiddlewareHandler.
func (g *Guard) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	ref := r.Header.Get("Referer")
	if ref == "" {
		return next.ServeHTTP(w, r)
	}
	u, err := url.Parse(ref)
	if err != nil || g.allowed(u.Hostname()) {
		return next.ServeHTTP(w, r)
	}
	host := u.Hostname()
	caddyhttp.SetVar(r.Context(), "hotlink_referrer", host)

	if _, err := g.ns.Get(r.Context(), blockKey(host)); err == nil {
		return caddyhttp.Error(http.StatusForbidden, errBlocked)
	} else if !kvrest.IsNotFound(err) {
		g.log.Warn("block lookup failed", zap.String("host", host), zap.Error(err))
	}

	g.mu.Lock()
	g.hits[host]++
	over := g.hits[host] >= g.Threshold
	g.mu.Unlock()
	if over {
		if err := g.block(r.Context(), host); err != nil {
			g.log.Error("block", zap.String("host", host), zap.Error(err))
		}
		return caddyhttp.Error(http.StatusForbidden, errBlocked)
	}
	return next.ServeHTTP(w, r)
}

const errBlocked = guardError("hotlinking from this site is blocked")

// block writes the block record and the dashboard's "last blocked" tile.
func (g *Guard) block(ctx context.Context, host string) error {
	_, err := g.ns.KV.Namespaces.Values.Update(ctx, g.ns.ID, blockKey(host), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(g.ns.AccountID),
		Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
		ExpirationTTL: cloudflare.F(float64(g.BlockFor)), // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	tile, _ := json.Marshal(map[string]any{"host": host, "at": time.Now().Unix()})
	return g.ns.Put(ctx, "hotlink:last-blocked", tile, 0) // EXPECT kvhotkey
}

func (g *Guard) flushLoop(ctx context.Context) {
	defer close(g.done)
	t := time.NewTicker(time.Duration(g.FlushEvery))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			g.flush(context.Background())
			return
		case <-t.C:
			g.flush(ctx)
		}
	}
}

// flush writes the tallies of the last interval, one key per host.
func (g *Guard) flush(ctx context.Context) {
	g.mu.Lock()
	tallies := g.hits
	g.hits = make(map[string]int, len(tallies))
	g.mu.Unlock()
	for host, n := range tallies {
		raw, _ := json.Marshal(n)
		if err := g.ns.Put(ctx, "hotlink:hits:"+host, raw, 24*time.Hour); err != nil { // EXPECT kvcounter
			g.log.Warn("flush tally", zap.String("host", host), zap.Error(err))
		}
	}
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	magpie_hotlink {
//	    namespace <account> <id> { token {env.CF_API_TOKEN} }
//	    allow magpie.media *.magpie.media
//	    threshold 200
//	    block_for 6h
//	    flush_every 5m
//	}
func (g *Guard) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	for d.NextBlock(0) {
		switch d.Val() {
		case "namespace":
			if err := g.Namespace.UnmarshalCaddyfile(d); err != nil {
				return err
			}
		case "allow":
			g.Allow = append(g.Allow, d.RemainingArgs()...)
		case "threshold":
			var s string
			if !d.Args(&s) {
				return d.ArgErr()
			}
			n, err := parseInt(s)
			if err != nil {
				return d.Errf("threshold: %v", err)
			}
			g.Threshold = n
		case "block_for", "flush_every":
			opt := d.Val()
			var s string
			if !d.Args(&s) {
				return d.ArgErr()
			}
			dur, err := caddy.ParseDuration(s)
			if err != nil {
				return d.Errf("%s: %v", opt, err)
			}
			if opt == "block_for" {
				g.BlockFor = caddy.Duration(dur)
			} else {
				g.FlushEvery = caddy.Duration(dur)
			}
		default:
			return d.Errf("unknown subdirective %q", d.Val())
		}
	}
	return nil
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	g := new(Guard)
	err := g.UnmarshalCaddyfile(h.Dispenser)
	return g, err
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Guard)(nil)
	_ caddy.Validator             = (*Guard)(nil)
	_ caddy.CleanerUpper          = (*Guard)(nil)
	_ caddyhttp.MiddlewareHandler = (*Guard)(nil)
	_ caddyfile.Unmarshaler       = (*Guard)(nil)
)
