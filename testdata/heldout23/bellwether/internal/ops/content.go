package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// standardsNotice is shown beside published results.
const standardsNotice = "Bellwether polls are provided for editorial engagement and are not scientific surveys. Results reflect only the views of readers who chose to take part and must not be reported as representative of any population. Newsrooms embedding a poll accept the Bellwether editorial guidelines, including the requirement to display this notice next to any published result, to avoid polling on matters that are the subject of active legal proceedings, and to refrain from polling readers on the voting intentions of named candidates during any statutory election period in the jurisdictions where the embedding publication is distributed. Data collected through a poll is processed under the data processing agreement between Bellwether and the embedding newsroom; respondents may request erasure of their answers through the privacy contact listed on the embedding site. Bellwether retains individual answers for thirty days and aggregate results indefinitely. Questions about this notice should be sent to standards@bellwether.example, and corrections to published results are logged publicly."

// PinNotice stores the results page for a poll with the standards notice
// attached, so listings can show it without reading the value.
func (a *Admin) PinNotice(ctx context.Context, slug string, page []byte) error {
	_, err := a.ns.Values.Update(ctx, a.namespace, "results-page:"+slug, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(a.account),
		Value:         cloudflare.F(string(page)),
		ExpirationTTL: cloudflare.F(3600.0),
		Metadata:      cloudflare.F[any](map[string]any{"notice": standardsNotice}), // EXPECT kvlimits
	})
	return err
}

// ScheduleTakedown makes a published document disappear at a set time, for
// embargoed results.
func (a *Admin) ScheduleTakedown(ctx context.Context, key string, body []byte, at time.Time) error {
	_, err := a.ns.Values.Update(ctx, a.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(a.account),
		Value:      cloudflare.F(string(body)),
		Expiration: cloudflare.F(float64(at.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// RebuildDigest writes the newsroom's daily digest, one poll at a time so a
// reader never sees an empty digest.
func (a *Admin) RebuildDigest(ctx context.Context, newsroom string, slugs []string) error {
	key := "digest:" + newsroom
	var lines []string
	for _, slug := range slugs {
		lines = append(lines, "https://polls.bellwether.example/"+slug)
		body, _ := json.Marshal(lines)
		_, err := a.ns.Values.Update(ctx, a.namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID:     cloudflare.F(a.account),
			Value:         cloudflare.F(string(body)),
			ExpirationTTL: cloudflare.F(float64(26 * 60 * 60)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Documents reads rendered poll documents by slug, in bulk requests of at
// most 100 keys. Missing documents are absent from the result.
func (a *Admin) Documents(ctx context.Context, slugs []string) (map[string]string, error) {
	out := make(map[string]string, len(slugs))
	for start := 0; start < len(slugs); start += 100 {
		end := min(start+100, len(slugs))
		keys := make([]string, 0, end-start)
		for _, s := range slugs[start:end] {
			keys = append(keys, "doc:"+s)
		}
		if err := a.bulkText(ctx, keys, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// WarmFrontPage reads the documents of the front page's polls in one
// request. The front page never carries more than 150 polls.
func (a *Admin) WarmFrontPage(ctx context.Context, slugs [150]string) (map[string]string, error) {
	keys := make([]string, 0, len(slugs))
	for _, s := range slugs {
		keys = append(keys, "doc:"+s)
	}
	out := map[string]string{}
	res, err := a.ns.BulkGet(ctx, a.namespace, kv.NamespaceBulkGetParams{ // DEBATABLE kvlimits
		AccountID: cloudflare.F(a.account),
		Keys:      cloudflare.F(keys),
	})
	if err != nil {
		return nil, err
	}
	collect(res, out)
	return out, nil
}

func (a *Admin) bulkText(ctx context.Context, keys []string, out map[string]string) error {
	res, err := a.ns.BulkGet(ctx, a.namespace, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(a.account),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return fmt.Errorf("ops: bulk get: %w", err)
	}
	collect(res, out)
	return nil
}

func collect(res *kv.NamespaceBulkGetResponse, out map[string]string) {
	r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return
	}
	for k, v := range r.Values {
		if s, ok := v.(shared.UnionString); ok {
			out[k] = string(s)
		}
	}
}
