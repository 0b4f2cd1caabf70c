// Package variantcache is a Caddy handler that resolves /img/<id>/<variant>
// to the variant's R2 object key using the manifest in KV, falling back to
// the catalogue API on a miss. The resolved key is exposed as the
// {magpie.variant.object} placeholder for the reverse proxy to R2.
package variantcache

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	caddy.RegisterModule(Resolver{})
	httpcaddyfile.RegisterHandlerDirective("magpie_variant", parseCaddyfile)
}

// Resolver is the magpie_variant handler.
type Resolver struct {
	Namespace kvpool.Config `json:"namespace"`
	// Catalogue is the base URL of the catalogue API.
	Catalogue string `json:"catalogue"`
	// NegativeFor is how long "no such image" answers are remembered.
	NegativeFor caddy.Duration `json:"negative_for,omitempty"`

	ns     *kvrest.Namespace
	client *http.Client
	log    *zap.Logger
}

// CaddyModule returns the Caddy module information.
func (Resolver) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.magpie_variant",
		New: func() caddy.Module { return new(Resolver) },
	}
}

// Provision sets up the resolver.
func (v *Resolver) Provision(ctx caddy.Context) error {
	v.log = ctx.Logger()
	ns, err := kvpool.Acquire(v.Namespace)
	if err != nil {
		return err
	}
	v.ns = ns
	v.client = &http.Client{Timeout: 5 * time.Second}
	if v.NegativeFor == 0 {
		v.NegativeFor = caddy.Duration(45 * time.Second)
	}
	return nil
}

// Validate checks the configuration.
func (v *Resolver) Validate() error {
	if _, err := url.Parse(v.Catalogue); err != nil || v.Catalogue == "" {
		return fmt.Errorf("magpie_variant: invalid catalogue URL %q", v.Catalogue)
	}
	return nil
}

// Cleanup releases the namespace.
func (v *Resolver) Cleanup() error { return kvpool.Release(v.Namespace) }

type variant struct {
	Name  string `json:"name"`
	R2Key string `json:"r2"`
}

type manifest struct {
	ImageID  string    `json:"image_id"`
	Variants []variant `json:"variants"`
}

var errNoImage = errors.New("no such image")

const negativeMarker = "-"

// ServeHTTP implements caddyhttp.MiddlewareHandler.
func (v *Resolver) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	repl := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer)
	imageID := repl.ReplaceAll("{http.request.uri.path.1}", "")
	name := repl.ReplaceAll("{http.request.uri.path.2}", "")
	if imageID == "" || name == "" {
		return caddyhttp.Error(http.StatusNotFound, errNoImage)
	}
	m, err := v.manifest(r, imageID)
	if errors.Is(err, errNoImage) {
		return caddyhttp.Error(http.StatusNotFound, err)
	}
	if err != nil {
		return caddyhttp.Error(http.StatusBadGateway, err)
	}
	for _, vr := range m.Variants {
		if vr.Name == name {
			repl.Set("magpie.variant.object", vr.R2Key)
			return next.ServeHTTP(w, r)
		}
	}
	return caddyhttp.Error(http.StatusNotFound, fmt.Errorf("variant %s of %s", name, imageID))
}

func (v *Resolver) manifest(r *http.Request, imageID string) (*manifest, error) {
	ctx := r.Context()
	key := "manifest:" + imageID
	raw, err := v.ns.Get(ctx, key)
	switch {
	case err == nil && string(raw) == negativeMarker:
		return nil, errNoImage
	case err == nil:
		var m manifest
		return &m, json.Unmarshal(raw, &m)
	case !kvrest.IsNotFound(err):
		return nil, err
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		strings.TrimSuffix(v.Catalogue, "/")+"/images/"+url.PathEscape(imageID)+"/manifest", nil)
	if err != nil {
		return nil, err
	}
	res, err := v.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		if err := v.ns.Put(ctx, key, []byte(negativeMarker), time.Duration(v.NegativeFor)); err != nil { // DEBATABLE kvttl
			v.log.Debug("negative cache", zap.Error(err))
		}
		return nil, errNoImage
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("catalogue: %s", res.Status)
	}
	var m manifest
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		return nil, err
	}
	body, _ := json.Marshal(m)
	if err := v.ns.PutCached(ctx, key, body, maxAge(res.Header.Get("Cache-Control"))); err != nil {
		v.log.Debug("manifest cache fill", zap.Error(err))
	}
	return &m, nil
}

// maxAge extracts max-age from a Cache-Control header, or 5 minutes.
func maxAge(cc string) time.Duration {
	for _, part := range strings.Split(cc, ",") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(part), "max-age="); ok {
			if n, err := strconv.Atoi(s); err == nil {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 5 * time.Minute
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens:
//
//	magpie_variant {
//	    namespace <account> <id> { token {env.CF_API_TOKEN} }
//	    catalogue http://catalogue.internal
//	    negative_for 2m
//	}
func (v *Resolver) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next()
	for d.NextBlock(0) {
		switch d.Val() {
		case "namespace":
			if err := v.Namespace.UnmarshalCaddyfile(d); err != nil {
				return err
			}
		case "catalogue":
			if !d.Args(&v.Catalogue) {
				return d.ArgErr()
			}
		case "negative_for":
			var s string
			if !d.Args(&s) {
				return d.ArgErr()
			}
			dur, err := caddy.ParseDuration(s)
			if err != nil {
				return d.Errf("negative_for: %v", err)
			}
			v.NegativeFor = caddy.Duration(dur)
		default:
			return d.Errf("unknown subdirective %q", d.Val())
		}
	}
	return nil
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	v := new(Resolver)
	err := v.UnmarshalCaddyfile(h.Dispenser)
	return v, err
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Resolver)(nil)
	_ caddy.Validator             = (*Resolver)(nil)
	_ caddy.CleanerUpper          = (*Resolver)(nil)
	_ caddyhttp.MiddlewareHandler = (*Resolver)(nil)
	_ caddyfile.Unmarshaler       = (*Resolver)(nil)
)
