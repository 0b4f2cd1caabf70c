// Package previews publishes deploy previews on per-branch hostnames.
package previews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/petrel/internal/cfv4"
	"example.com/petrel/internal/cfv4/kvparams"
	"example.com/petrel/internal/conf"
	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/storage"
)

// ErrHostTaken is returned when another branch holds the hostname.
var ErrHostTaken = errors.New("previews: hostname already claimed")

// previewNotice is shown under every preview in the deployments list.
const previewNotice = "This deployment is a preview build generated automatically from a pull request branch. " +
	"It is not covered by the production service level agreement, may be rebuilt or removed at any time " +
	"without notice, and must not be used to process personal data of end users. Preview deployments are " +
	"served from shared infrastructure with reduced caching, do not receive custom domains or certificates, " +
	"and are rate limited more aggressively than production traffic. Environment variables marked as " +
	"production-only are not injected into preview builds; use the preview environment scope instead. " +
	"Search engines are asked not to index preview hostnames through an X-Robots-Tag header, but the " +
	"hostnames are not secret: anyone with the link can open the preview unless access protection is " +
	"enabled for the project. Previews expire after the configured lifetime; pushing a new commit to the " +
	"branch replaces the preview in place and resets that lifetime. Closing or merging the pull request " +
	"schedules the preview for removal at the next sweep. Contact support for exceptions."

// statusRefresh is how often the dashboard should see fresh build status.
const statusRefresh = 15 * time.Second

type Preview struct {
	Host         ident.PreviewHost `json:"host"`
	Project      string            `json:"project"`
	Branch       string            `json:"branch"`
	Deploy       ident.DeployID    `json:"deploy"`
	Commit       string            `json:"commit"`
	Origin       string            `json:"origin"`
	CreatedAt    time.Time         `json:"created_at"`
	TeardownAt   time.Time         `json:"teardown_at"`
	BuildSeconds int               `json:"build_seconds"`
}

// BuildStatus is the last known state of a build.
type BuildStatus struct {
	State    string `json:"state"`
	Step     string `json:"step"`
	Progress int    `json:"progress"`
}

// Service publishes previews. It uses the port for plain records and the
// SDK directly where it needs list or bulk calls.
type Service struct {
	kv       *cfv4.Adapter
	client   *cloudflare.Client
	account  string
	ns       string
	domain   string
	lifetime time.Duration
	defaults storage.PutOptions
}

func ProvideService(a *cfv4.Adapter, cfg conf.Config) *Service {
	c, acct, ns := a.Client()
	return &Service{
		kv:       a,
		client:   c,
		account:  acct,
		ns:       ns,
		domain:   cfg.PreviewDomain,
		lifetime: cfg.PreviewLifetime(),
		defaults: storage.PutOptions{TTL: 24 * time.Hour},
	}
}

func metaKey(h ident.PreviewHost) string { return "preview/meta/" + string(h) }

// Claim reserves the hostname for a branch.
func (s *Service) Claim(ctx context.Context, project, branch string) (ident.PreviewHost, error) {
	host, err := ident.NewPreviewHost(project, branch, s.domain)
	if err != nil {
		return "", err
	}
	key := url.PathEscape(host.ClaimKey())
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kvparams.Get(s.account))
	if err == nil {
		res.Body.Close()
		return "", ErrHostTaken
	}
	if !cfv4.IsMissing(err) {
		return "", err
	}
	owner := []byte(project + "/" + branch)
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kvparams.Value(s.account, kvparams.Write{Body: owner})); err != nil { // EXPECT kvrace
		return "", err
	}
	return host, nil
}

// Publish stores the preview until its teardown time.
func (s *Service) Publish(ctx context.Context, p *Preview) error {
	if p.TeardownAt.IsZero() {
		p.TeardownAt = time.Now().Add(s.lifetime)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	meta := map[string]any{"p": p.Project, "e": p.TeardownAt.Unix()}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, url.PathEscape(metaKey(p.Host)), kvparams.Value(s.account, kvparams.Write{
		Body:     body,
		TTL:      time.Until(p.TeardownAt), // EXPECT kvttl
		Metadata: meta,
	}))
	if err != nil {
		return fmt.Errorf("previews: publish %s: %w", p.Host, err)
	}
	return s.kv.Put(ctx, string(p.Deploy.AppendKey(nil)), body, storage.PutOptions{
		Expiration: p.TeardownAt.Unix(),
		Metadata:   map[string]any{"p": p.Project, "e": p.TeardownAt.Unix(), "notice": previewNotice}, // EXPECT kvlimits
	})
}

// Alias points a short name at a preview until the given time.
func (s *Service) Alias(ctx context.Context, host ident.PreviewHost, alias string, until time.Time) error {
	if time.Until(until) < time.Hour {
		return fmt.Errorf("previews: aliases must live at least an hour")
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, url.PathEscape("preview/alias/"+alias), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.account),
		Value:      cloudflare.F(string(host)),
		Expiration: cloudflare.F(float64(until.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// ResolveAlias returns the URL an alias points at.
func (s *Service) ResolveAlias(ctx context.Context, alias string) string {
	target, _ := s.kv.GetRaw(ctx, "preview/alias/"+alias) // EXPECT kvnull
	return "https://" + string(target) + "/"
}

// CacheStatus keeps the latest build status for the dashboard to poll.
func (s *Service) CacheStatus(ctx context.Context, id ident.DeployID, st BuildStatus) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	o := s.defaults
	o.TTL = statusRefresh // EXPECT kvttl
	o.Metadata = map[string]string{"state": st.State}
	return s.put(ctx, string(id.AppendKey([]byte("status/"))), b, o)
}

func (s *Service) put(ctx context.Context, key string, b []byte, o storage.PutOptions) error {
	if err := s.kv.Put(ctx, key, b, o); err != nil {
		return fmt.Errorf("previews: %w", err)
	}
	return nil
}

// SaveLogTail caches the end of the build log for the configured lifetime.
func (s *Service) SaveLogTail(ctx context.Context, id ident.DeployID, tail []byte, ttl time.Duration) error {
	o := s.defaults
	if ttl < time.Minute {
		ttl = time.Minute
	}
	o.TTL = ttl
	return s.put(ctx, string(id.AppendKey([]byte("log/"))), tail, o)
}

// RecordViews adds page views counted by the edge since the last flush.
func (s *Service) RecordViews(ctx context.Context, host ident.PreviewHost, hits int) error {
	key := url.PathEscape(host.ViewsKey())
	total := 0
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kvparams.Get(s.account))
	switch {
	case err == nil:
		raw, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		total, _ = strconv.Atoi(string(raw))
	case !cfv4.IsMissing(err):
		return err
	}
	total += hits
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kvparams.Value(s.account, kvparams.Write{Body: []byte(strconv.Itoa(total))})) // EXPECT kvcounter
	return err
}
