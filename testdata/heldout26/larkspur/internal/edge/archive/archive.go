//go:build js && wasm

// Package archive serves the public web archive of sent campaigns. Pages
// live in their own namespace; slugs and view statistics live in the main
// one.
package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/edge/kvbind"
	"example.com/larkspur/internal/edge/sessions"
	"example.com/larkspur/internal/httpx"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
)

// pageTTL is how long a rendered archive page is kept.
const pageTTL = 24 * time.Hour

// complianceNotice is printed under every archived campaign. The backend's
// mail renderer reads the prerendered version from KV.
const complianceNotice = `You are receiving this email because you subscribed to this newsletter ` +
	`or because the sender imported your address with your prior consent. ` +
	`The sender is responsible for the content of this message and for honouring ` +
	`unsubscribe requests within ten business days, as required by the CAN-SPAM Act, ` +
	`the Canadian Anti-Spam Legislation and the General Data Protection Regulation. ` +
	`You can change which topics you receive, or stop all email from this sender, ` +
	`at any time from the preference center linked below. Larkspur processes your ` +
	`address on behalf of the sender under a data processing agreement; see our ` +
	`privacy notice for the categories of data we hold and how to exercise your rights.`

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,39}$`)

var noticeTemplate = template.Must(template.New("notice").Parse(`<p class="notice">{{.}}</p>`))

// Archive serves and maintains archive pages.
type Archive struct {
	main  *kvbind.Namespace
	pages *kvbind.Namespace
	ks    keys.Space
}

// New returns an Archive over the main and pages namespaces.
func New(main, pages *kvbind.Namespace, ks keys.Space) *Archive {
	return &Archive{main: main, pages: pages, ks: ks}
}

// namespace picks the namespace a key lives in: rendered pages go to the
// pages namespace, everything else to the main one.
func (a *Archive) namespace(key string) (*cloudflare.KVNamespace, error) {
	if strings.HasPrefix(key, a.ks.Prefix()+"archive:") {
		return a.pages.Handle()
	}
	return a.main.Handle()
}

// Routes registers the archive endpoints on rt.
func (a *Archive) Routes(rt *httpx.Router, sm *sessions.Manager) {
	rt.Handle(http.MethodGet, "/archive/*", httpx.E(a.page))
	rt.Handle(http.MethodPost, "/dashboard/archive/slug", sm.Require(httpx.E(a.claimSlug)))
}

func (a *Archive) page(w http.ResponseWriter, r *http.Request) error {
	slug, campaignID, _ := strings.Cut(httpx.Tail(r, "/archive/"), "/")
	main, err := a.main.Handle()
	if err != nil {
		return err
	}
	senderID, err := main.GetString(a.ks.Slug(slug), &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		return err
	}
	if senderID == "<null>" {
		http.NotFound(w, r)
		return nil
	}
	key := a.ks.Archive(senderID, campaignID)
	ns, err := a.namespace(key)
	if err != nil {
		return err
	}
	body, err := ns.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600})
	if err != nil {
		return err
	}
	if body == "<null>" {
		http.NotFound(w, r)
		return nil
	}
	if err := a.countView(main, slug); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write([]byte(body))
	return err
}

func (a *Archive) countView(kv *cloudflare.KVNamespace, slug string) error {
	key := a.ks.Prefix() + "views:" + slug
	v, err := kv.GetString(key, nil)
	if err != nil {
		return err
	}
	views := 0
	if v != "<null>" {
		views, _ = strconv.Atoi(v)
	}
	views++
	return kv.PutString(key, strconv.Itoa(views), nil) // EXPECT kvcounter
}

func (a *Archive) claimSlug(w http.ResponseWriter, r *http.Request) error {
	s, _ := sessions.Current(r.Context())
	var req struct{ Slug string }
	if err := httpx.Decode(r, &req); err != nil || !slugPattern.MatchString(req.Slug) {
		httpx.Error(w, http.StatusBadRequest, "slug must be 3-40 lowercase letters, digits or dashes")
		return nil
	}
	kv, err := a.main.Handle()
	if err != nil {
		return err
	}
	key := a.ks.Slug(req.Slug)
	owner, err := kv.GetString(key, nil)
	if err != nil {
		return err
	}
	if owner != "<null>" && owner != s.Workspace {
		httpx.Error(w, http.StatusConflict, "slug is taken")
		return nil
	}
	if err := kv.PutString(key, s.Workspace, nil); err != nil { // EXPECT kvrace
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"slug": req.Slug})
	return nil
}

// Store writes a rendered page for a day.
func (a *Archive) Store(ctx context.Context, p domain.ArchivePage) error {
	key := a.ks.Archive(p.SenderID, p.CampaignID)
	ns, err := a.namespace(key)
	if err != nil {
		return err
	}
	return ns.PutString(key, p.HTML, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(pageTTL), // EXPECT kvttl
	})
}

// StoreFlash writes the teaser page of a flash campaign.
func (a *Archive) StoreFlash(ctx context.Context, senderID, campaignID, title, html string) error {
	p := domain.ArchivePage{SenderID: senderID, CampaignID: campaignID, Title: title, HTML: html, SentAt: time.Now().UTC(), Tier: domain.TierFlash}
	key := a.ks.Archive(senderID, campaignID)
	return kvstore.Save(ctx, a.pages, p.WithKey(key))
}

// Copy publishes a page that was rendered into the main namespace as a
// draft to the pages namespace under the same key.
func (a *Archive) Copy(ctx context.Context, senderID, campaignID string) error {
	key := a.ks.Archive(senderID, campaignID)
	b, err := a.main.Get(ctx, key, kvstore.WithCacheTTL(time.Minute))
	if err != nil {
		return err
	}
	var p domain.ArchivePage
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.CampaignID != campaignID {
		return fmt.Errorf("archive: %s holds campaign %s", key, p.CampaignID)
	}
	return a.pages.Put(ctx, key, b, kvstore.WithTTL(domain.TierArchive.TTL()))
}

// Prerender stores the rendered compliance notice for the mail renderer.
func (a *Archive) Prerender() error {
	kv, err := a.main.Handle()
	if err != nil {
		return err
	}
	var sb strings.Builder
	if err := noticeTemplate.Execute(&sb, complianceNotice); err != nil {
		return err
	}
	return kv.PutString(a.ks.Prefix()+"notice:"+complianceNotice, sb.String(), nil) // EXPECT kvlimits
}
