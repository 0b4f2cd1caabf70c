package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"starling/internal/kvrest"
)

// partnerCatalogURL is the partner network's full export.
const partnerCatalogURL = "https://catalog.partner-audio.example.com/v3/exports/podcasts/full.json" +
	"?fields=id,title,subtitle,summary,author,owner_name,owner_email,language,explicit,categories,subcategories," +
	"artwork_url,artwork_width,artwork_height,website,rss_url,apple_id,spotify_id,youtube_channel,episode_count," +
	"first_published,last_published,average_duration,update_frequency,copyright,license,funding_url,funding_label," +
	"locked,guid,medium,trailer_url,season_count,location_name,location_geo,person_roles,value_recipients,txt_records" +
	"&include=episodes.latest,episodes.trailer,episodes.bonus,network,network.parent,rights,rights.territories" +
	"&format=ndjson&compression=none&page_size=5000&partner=starling&consumer_key=stl-prod-ingest-7c1f2e"

// rightsMetadata is attached to every rendition produced from partner audio.
const rightsMetadata = `{"license":"partner-distribution-v4","territories":"worldwide excluding embargoed regions",` +
	`"attribution":"Distributed by the Partner Audio Network under the Starling partner distribution agreement. ` +
	`Audio and artwork remain the property of their respective rights holders and may not be redistributed, ` +
	`re-hosted, transcoded for third parties, excerpted beyond thirty seconds, or used to train machine learning ` +
	`models without prior written consent.",` +
	`"ad_policy":"Dynamic ad insertion is permitted only in the pre-roll and post-roll positions supplied by the ` +
	`partner manifest; mid-roll positions are reserved for the rights holder. Host-read advertisements embedded ` +
	`in the source audio must be preserved unaltered in every rendition.",` +
	`"takedown":"Takedown requests received from the rights holder or the partner network must be honoured ` +
	`within twenty-four hours by removing every rendition, cached feed entry and transcript derived from the ` +
	`source audio.","reporting":"Download and listen counts are reported to the partner network monthly ` +
	`using IAB Podcast Measurement 2.2 filtered numbers.","contact":"rights@partner-audio.example.com"}`

const pendingPrefix = "upload:pending:"

// CatalogChanged reports whether the partner catalog changed since the last
// call, remembering the export's ETag.
func (p *Pipeline) CatalogChanged(ctx context.Context) (bool, error) {
	etagKey := "import:etag:" + partnerCatalogURL // EXPECT kvlimits
	prev, err := p.kv.Get(ctx, etagKey)
	if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
		return false, err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodHead, partnerCatalogURL, nil)
	res, err := p.http.Do(req)
	if err != nil {
		return false, err
	}
	res.Body.Close()
	etag := res.Header.Get("ETag")
	if etag == string(prev) {
		return false, nil
	}
	return true, p.kv.Put(ctx, etagKey, []byte(etag))
}

// StoreRendition records a partner rendition with its rights terms.
func (p *Pipeline) StoreRendition(ctx context.Context, m *Manifest, url string) error {
	key := fmt.Sprintf("rendition:%s:%s", m.Upload.Episode, strings.TrimPrefix(url, "https://"))
	return p.kv.PutMeta(ctx, key, []byte(url), rightsMetadata) // EXPECT kvlimits
}

// HasPending reports whether any partner uploads are waiting.
func (p *Pipeline) HasPending(ctx context.Context) (bool, error) {
	page, err := p.kv.ListPage(ctx, pendingPrefix, "", 1) // EXPECT kvlimits
	if err != nil {
		return false, err
	}
	return len(page.Keys) > 0 || page.Cursor != "", nil
}
