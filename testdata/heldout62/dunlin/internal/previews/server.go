// Package previews implements the deploy API (deployapi.StrictServerInterface):
// deploy previews that the edge Worker serves under <slug>.preview.dunlin.dev,
// and the artefact manifests of the builds behind them.
package previews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/dunlin-dev/dunlin/internal/gen/deployapi"
	"github.com/dunlin-dev/dunlin/internal/kvstore"
)

const defaultPreviewTTL = 72 * time.Hour

// previewCSP is the Content-Security-Policy of preview responses. It rides
// in the metadata of the preview record, so that the edge and the dashboard
// get it from list calls without reading values.
const previewCSP = "default-src 'self'; " +
	"script-src 'self' 'unsafe-inline' https://cdn.dunlin.dev https://static.cloudflareinsights.com https://www.googletagmanager.com https://js.stripe.com https://cdn.jsdelivr.net https://unpkg.com https://plausible.io https://browser.sentry-cdn.com; " +
	"style-src 'self' 'unsafe-inline' https://cdn.dunlin.dev https://fonts.googleapis.com https://cdn.jsdelivr.net https://unpkg.com; " +
	"img-src 'self' data: blob: https://cdn.dunlin.dev https://avatars.githubusercontent.com https://images.unsplash.com https://www.googletagmanager.com https://*.stripe.com; " +
	"font-src 'self' data: https://fonts.gstatic.com https://cdn.dunlin.dev https://cdn.jsdelivr.net; " +
	"connect-src 'self' https://api.dunlin.dev wss://api.dunlin.dev https://cloudflareinsights.com https://plausible.io https://*.ingest.sentry.io https://api.stripe.com https://www.google-analytics.com https://region1.google-analytics.com; " +
	"frame-src 'self' https://js.stripe.com https://hooks.stripe.com https://www.youtube-nocookie.com https://player.vimeo.com https://codesandbox.io; " +
	"media-src 'self' blob: https://cdn.dunlin.dev; worker-src 'self' blob:; manifest-src 'self'; object-src 'none'; base-uri 'self'; " +
	"form-action 'self' https://checkout.stripe.com; frame-ancestors 'self' https://dashboard.dunlin.dev; upgrade-insecure-requests; " +
	"report-uri https://o1.ingest.sentry.io/api/4505/security/?sentry_key=2b5f0e1c9d8a4c7e; report-to csp-endpoint"

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)

// Server implements deployapi.StrictServerInterface.
type Server struct {
	previews    *kvstore.Namespace
	artefacts   *kvstore.Namespace
	baseDomain  string
	artefactTTL time.Duration
}

var _ deployapi.StrictServerInterface = (*Server)(nil)

// NewServer returns the deploy API. artefactTTL comes from
// DUNLIN_ARTEFACT_TTL.
func NewServer(previews, artefacts *kvstore.Namespace, baseDomain string, artefactTTL time.Duration) *Server {
	return &Server{previews: previews, artefacts: artefacts, baseDomain: baseDomain, artefactTTL: artefactTTL}
}

func previewKey(slug string) string      { return "preview:" + slug }
func hostKey(slug string) string         { return "preview-host:" + slug }
func artefactPrefix(build string) string { return "artefact:" + build + "/" }
func artefactKey(build, path string) string {
	return artefactPrefix(build) + strings.TrimPrefix(path, "/")
}
func progressKey(build string) string { return "build-progress:" + build }

func (s *Server) CreatePreview(ctx context.Context, req deployapi.CreatePreviewRequestObject) (deployapi.CreatePreviewResponseObject, error) {
	body := req.Body
	if !slugRE.MatchString(body.Slug) || body.Project == "" || body.BuildId == "" {
		return deployapi.CreatePreview400JSONResponse{Message: "slug, project and build_id are required"}, nil
	}
	ttl := defaultPreviewTTL
	if body.TtlHours != nil {
		if *body.TtlHours < 1 || *body.TtlHours > 24*30 {
			return deployapi.CreatePreview400JSONResponse{Message: "ttl_hours must be between 1 and 720"}, nil
		}
		ttl = time.Duration(*body.TtlHours) * time.Hour
	}
	if ok, err := s.artefacts.HasPrefix(ctx, artefactPrefix(body.BuildId)); err != nil {
		return nil, err
	} else if !ok {
		return deployapi.CreatePreview400JSONResponse{Message: "build " + body.BuildId + " has no published artefacts"}, nil
	}
	key := previewKey(body.Slug)
	if _, err := s.previews.Get(ctx, key); err == nil {
		return deployapi.CreatePreview409JSONResponse{Message: fmt.Sprintf("slug %q is taken", body.Slug)}, nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	now := time.Now().UTC()
	exp := now.Add(ttl)
	p := deployapi.Preview{
		Slug:      body.Slug,
		Project:   body.Project,
		BuildId:   body.BuildId,
		Url:       "https://" + body.Slug + "." + s.baseDomain,
		CreatedAt: now,
		ExpiresAt: &exp,
	}
	raw, _ := json.Marshal(p)
	record := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         string(raw),
		ExpirationTTL: int(ttl.Seconds()),
		Metadata:      map[string]string{"build": body.BuildId, "csp": previewCSP}, // EXPECT kvlimits
	}
	host := &cloudflare.WorkersKVPair{Key: hostKey(body.Slug), Value: body.BuildId, ExpirationTTL: int(ttl.Seconds())}
	if err := s.previews.PutMany(ctx, []*cloudflare.WorkersKVPair{record, host}); err != nil { // EXPECT kvrace
		return nil, err
	}
	return deployapi.CreatePreview201JSONResponse(p), nil
}

// updatePreview applies change to the stored preview and writes it back
// with the lifetime it has left.
func (s *Server) updatePreview(ctx context.Context, slug string, change func(*deployapi.Preview)) (*deployapi.Preview, error) {
	raw, err := s.previews.Get(ctx, previewKey(slug))
	if err != nil {
		return nil, err
	}
	var p deployapi.Preview
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	change(&p)
	out, _ := json.Marshal(p)
	left := defaultPreviewTTL
	if p.ExpiresAt != nil {
		left = max(time.Until(*p.ExpiresAt), kvstore.MinTTL)
	}
	return &p, s.previews.PutTTL(ctx, previewKey(slug), out, left) // EXPECT kvrace
}

func (s *Server) PatchPreview(ctx context.Context, req deployapi.PatchPreviewRequestObject) (deployapi.PatchPreviewResponseObject, error) {
	p, err := s.updatePreview(ctx, req.Slug, func(p *deployapi.Preview) {
		if p.Env == nil {
			p.Env = map[string]string{}
		}
		for k, v := range req.Body.Env {
			if v == nil {
				delete(p.Env, k)
			} else {
				p.Env[k] = *v
			}
		}
	})
	if errors.Is(err, kvstore.ErrNotFound) {
		return deployapi.PatchPreview404Response{}, nil
	} else if err != nil {
		return nil, err
	}
	return deployapi.PatchPreview200JSONResponse(*p), nil
}

func (s *Server) DeletePreview(ctx context.Context, req deployapi.DeletePreviewRequestObject) (deployapi.DeletePreviewResponseObject, error) {
	raw, err := s.previews.Get(ctx, previewKey(req.Slug))
	if errors.Is(err, kvstore.ErrNotFound) {
		return deployapi.DeletePreview404Response{}, nil
	} else if err != nil {
		return nil, err
	}
	var p deployapi.Preview
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	files, err := s.artefacts.Keys(ctx, artefactPrefix(p.BuildId))
	if err != nil {
		return nil, err
	}
	if err := s.artefacts.DeleteMany(ctx, files); err != nil {
		return nil, err
	}
	if err := s.previews.DeleteMany(ctx, []string{previewKey(p.Slug), hostKey(p.Slug)}); err != nil {
		return nil, err
	}
	return deployapi.DeletePreview204Response{}, nil
}

func (s *Server) ListArtefacts(ctx context.Context, req deployapi.ListArtefactsRequestObject) (deployapi.ListArtefactsResponseObject, error) {
	keys, next, err := s.artefacts.Page(ctx, artefactPrefix(req.BuildId), "", 1000)
	if err != nil {
		return nil, err
	}
	out := deployapi.ListArtefacts200JSONResponse{Truncated: next != ""}
	for _, k := range keys {
		raw, err := s.artefacts.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		var a deployapi.Artefact
		if json.Unmarshal(raw, &a) == nil {
			out.Items = append(out.Items, a)
		}
	}
	return out, nil
}

type buildProgress struct {
	Done  int    `json:"done"`
	Total int    `json:"total"`
	Last  string `json:"last"`
}

// PublishBuild records the artefact manifest that the build runner uploads
// after pushing the files to the origin bucket.
func (s *Server) PublishBuild(ctx context.Context, req deployapi.PublishBuildRequestObject) (deployapi.PublishBuildResponseObject, error) {
	files := req.Body.Files
	if len(files) == 0 {
		return deployapi.PublishBuild400JSONResponse{Message: "manifest has no files"}, nil
	}
	for i, f := range files {
		rec, _ := json.Marshal(f)
		if err := s.artefacts.PutTTL(ctx, artefactKey(req.BuildId, f.Path), rec, s.artefactTTL); err != nil { // DEBATABLE kvttl
			return nil, err
		}
		prog, _ := json.Marshal(buildProgress{Done: i + 1, Total: len(files), Last: f.Path})
		if err := s.previews.Put(ctx, progressKey(req.BuildId), prog); err != nil { // EXPECT kvhotkey
			return nil, err
		}
	}
	return deployapi.PublishBuild202Response{}, nil
}
