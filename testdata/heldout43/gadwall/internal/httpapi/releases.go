package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
)

// pricingURL is the payment provider's price list for the desktop app in
// every currency and country we sell to.
const pricingURL = "https://api.paddlepay.example/v2/prices?product_id=pro_01h8x3gadwalldesktop&include=product,tax_rates,discounts,price_tiers,localized_prices,quantity_limits,billing_cycles,trial_periods,custom_data&currency_code=USD,EUR,GBP,JPY,AUD,CAD,CHF,SEK,NOK,DKK,PLN,CZK,BRL,MXN,INR,KRW,SGD,HKD,NZD,ZAR&country_code=US,DE,GB,FR,JP,AU,CA,CH,SE,NO,DK,PL,CZ,BR,MX,IN,KR,SG,HK,NZ,ZA,NL,BE,AT,IE,IT,ES,PT,FI,LU,GR,HU,RO,BG,HR,SI,SK,EE,LV,LT,CY,MT&status=active&recurring=true&order_by=unit_price.amount[ASC]&per_page=200"

const pricingKey = keys.Static("http-cache/GET " + pricingURL) // EXPECT kvlimits

// exportNotice is shown in the update dialog of every release.
const exportNotice = "This software and the accompanying documentation are subject to the export control laws and " +
	"regulations of the United States, including the Export Administration Regulations (EAR), and to the " +
	"sanctions programmes administered by the Office of Foreign Assets Control (OFAC), as well as to the " +
	"export control laws of the European Union and its member states, including Regulation (EU) 2021/821. " +
	"You agree not to export, re-export or transfer the software, directly or indirectly, to any country, " +
	"entity or person subject to an embargo or restrictive measure, or for any end use prohibited by those " +
	"laws, including the design, development or production of nuclear, chemical or biological weapons or " +
	"missile technology. By installing this update you confirm that you are not located in, under the " +
	"control of, or a national or resident of any such country, and that you are not listed on the Specially " +
	"Designated Nationals List, the Entity List, the Denied Persons List, or the EU consolidated list of " +
	"persons, groups and entities subject to financial sanctions. Licences held by restricted parties are " +
	"void and will be revoked without refund upon discovery."

type manifest struct {
	Product   string    `json:"product"`
	Channel   string    `json:"channel"`
	Version   string    `json:"version"`
	URL       string    `json:"url"`
	SHA256    string    `json:"sha256"`
	Published time.Time `json:"published"`
}

func handleUpdateCheck(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		client, account, ns := d.Releases.Client()
		key := keys.Release(r.PathValue("product"), r.PathValue("channel"))
		res, err := client.KV.Namespaces.Values.Get(ctx, ns, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cfv2.F(account)})
		if err != nil {
			slog.Error("update check: read manifest", "key", key, "err", err)
			http.Error(w, "upstream error", http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			http.Error(w, "upstream error", http.StatusBadGateway)
			return
		}
		if len(body) == 0 { // EXPECT kvnull
			http.Error(w, "no release on this channel", http.StatusNotFound)
			return
		}
		if err := d.Ops.Put(ctx, keys.Static("status/last-update-check"), []byte(d.Clock.Now().Format(time.RFC3339))); err != nil { // EXPECT kvhotkey
			slog.Warn("update check: status write", "err", err)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

func handleDownload(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		product, version := r.PathValue("product"), r.PathValue("version")
		k := keys.DownloadViews{Product: product, Version: version}
		raw, _ := d.Ops.Get(ctx, k) // EXPECT kvnull
		n, _ := strconv.Atoi(string(raw))
		if err := d.Ops.Put(ctx, k, []byte(strconv.Itoa(n+1))); err != nil { // EXPECT kvcounter|kvrace
			slog.Warn("download: count", "err", err)
		}
		http.Redirect(w, r, d.CDNBase+"/"+url.PathEscape(product)+"/"+url.PathEscape(version), http.StatusFound)
	}
}

// handlePricing serves the provider's price list through a KV read-through
// cache.
func handlePricing(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		body, err := d.Ops.Get(ctx, pricingKey)
		if err == nil {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
			return
		}
		if !errors.Is(err, kvstore.ErrNotFound) {
			fail(w, err)
			return
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, pricingURL, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, "pricing unavailable", http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		body, err = io.ReadAll(io.LimitReader(res.Body, 4<<20))
		if err != nil || res.StatusCode != http.StatusOK {
			http.Error(w, "pricing unavailable", http.StatusBadGateway)
			return
		}
		if err := d.Ops.PutTTL(ctx, pricingKey, body, 10*time.Minute); err != nil {
			slog.Warn("pricing: cache write", "err", err)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

// handleHealth checks that KV accepts writes and reads.
func handleHealth(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		stamp := []byte(d.Clock.Now().Format(time.RFC3339Nano))
		if err := d.Ops.Put(ctx, keys.Static("health/probe"), stamp); err != nil { // EXPECT kvhotkey
			http.Error(w, "kv write: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		if _, err := d.Ops.Get(ctx, keys.Static("health/probe")); err != nil {
			http.Error(w, "kv read: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	}
}

// handlePublishRelease stores a release manifest; the export notice travels
// in metadata so that the admin listing can show it without a read.
func handlePublishRelease(d Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var m manifest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&m); err != nil || m.Product == "" || m.Channel == "" {
			http.Error(w, "bad manifest", http.StatusBadRequest)
			return
		}
		m.Published = d.Clock.Now()
		b, err := json.Marshal(m)
		if err != nil {
			fail(w, err)
			return
		}
		api, rc, ns := d.ReleasesREST.API()
		_, err = api.WriteWorkersKVEntries(r.Context(), rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: ns,
			KVs: []*cloudflare.WorkersKVPair{{
				Key:      keys.Release(m.Product, m.Channel),
				Value:    string(b),
				Metadata: map[string]any{"version": m.Version, "sha256": m.SHA256, "notice": exportNotice}, // EXPECT kvlimits
			}},
		})
		if err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}
}
