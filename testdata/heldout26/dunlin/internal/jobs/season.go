package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kv6"
	"example.com/dunlin/internal/season"
)

// SeasonRollover archives the ending season and posts the rollover notices.
type SeasonRollover struct {
	C         *cloudflare.Client
	Account   string
	Namespace string
	Keys      keys.Space
}

func (SeasonRollover) Name() string { return "season-rollover" }

func (j SeasonRollover) put(ctx context.Context, key, value string, expiresAt float64) error {
	_, err := j.C.KV.Namespaces.Values.Update(ctx, j.Namespace, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(j.Account),
		Value:      cloudflare.F(value),
		Expiration: cloudflare.F(expiresAt),
	})
	return err
}

func (j SeasonRollover) Run(ctx context.Context) error {
	cur, err := j.C.KV.Namespaces.Values.Get(ctx, j.Namespace, j.Keys.SeasonCurrent(), kv.NamespaceValueGetParams{AccountID: cloudflare.F(j.Account)})
	if err != nil {
		return fmt.Errorf("load season: %w", err)
	}
	defer cur.Body.Close()
	var cfg season.Config
	if err := json.NewDecoder(cur.Body).Decode(&cfg); err != nil {
		return err
	}
	if time.Until(cfg.EndsAt) > 24*time.Hour {
		return nil
	}
	archiveKey := j.Keys.SeasonArchive(cfg.ID)
	if _, err := j.C.KV.Namespaces.Values.Get(ctx, j.Namespace, archiveKey, kv.NamespaceValueGetParams{AccountID: cloudflare.F(j.Account)}); err != nil { // EXPECT kvnull
		raw, _ := json.Marshal(cfg)
		if _, err := j.C.KV.Namespaces.Values.Update(ctx, j.Namespace, archiveKey, kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(j.Account),
			Value:     cloudflare.F(string(raw)),
		}); err != nil {
			return err
		}
	}
	// Notices shown in the client: the countdown banner until the season
	// closes, then a short "servers restarting" toast.
	if err := j.put(ctx, j.Keys.SeasonAsset("ending-banner"), cfg.Name, float64(cfg.EndsAt.UnixMilli())); err != nil { // EXPECT kvttl
		return err
	}
	if err := j.put(ctx, j.Keys.SeasonAsset("restart-toast"), "restarting", float64(time.Now().Add(30*time.Second).Unix())); err != nil { // EXPECT kvttl
		return err
	}
	return j.put(ctx, j.Keys.SeasonAsset("next-season-teaser"), "soon", float64(time.Now().Add(2*time.Hour).Unix()))
}

// Assets pre-writes the static season assets the client polls for.
type Assets struct {
	R    *kv6.Router
	Keys keys.Space
}

func (Assets) Name() string { return "season-assets" }

// locales the MOTD is translated into; the MOTD key names its variant set so
// clients can tell when a translation was added.
const motdLocales = "ar-SA,bg-BG,cs-CZ,da-DK,de-AT,de-CH,de-DE,el-GR,en-AU,en-CA,en-GB,en-IE,en-IN,en-NZ,en-US,en-ZA," +
	"es-AR,es-CL,es-CO,es-ES,es-MX,es-US,et-EE,fi-FI,fil-PH,fr-BE,fr-CA,fr-CH,fr-FR,he-IL,hi-IN,hr-HR,hu-HU,id-ID," +
	"it-CH,it-IT,ja-JP,ko-KR,lt-LT,lv-LV,ms-MY,nb-NO,nl-BE,nl-NL,pl-PL,pt-BR,pt-PT,ro-RO,ru-RU,sk-SK,sl-SI,sr-RS," +
	"sv-SE,th-TH,tr-TR,uk-UA,vi-VN,zh-CN,zh-HK,zh-TW,ca-ES,eu-ES,gl-ES,is-IS,mt-MT,ga-IE,cy-GB,lb-LU,mk-MK,sq-AL," +
	"bs-BA,ka-GE,hy-AM,az-AZ,kk-KZ,uz-UZ,mn-MN,ne-NP,si-LK,bn-BD,ta-IN,te-IN,kn-IN,ml-IN,mr-IN,gu-IN,pa-IN,ur-PK"

func (j Assets) Run(ctx context.Context) error {
	// The store layout is hand-edited by live-ops; only seed it when absent.
	layout := j.Keys.SeasonAsset("store-layout")
	if _, ok := j.R.Lookup(ctx, layout); !ok {
		if err := j.R.Put(ctx, layout, `{"rows":[["featured"],["daily","weekly"]]}`, 0, nil); err != nil {
			return err
		}
	}
	for _, a := range []struct {
		key   string
		value string
		ttl   time.Duration
	}{
		{j.Keys.SeasonAsset("playlist-rotation"), `["casual","ranked","quick"]`, 6 * time.Hour},
		{j.Keys.SeasonAsset("store-featured"), `["skin:aurora","emote:bow"]`, 10 * time.Minute},
		{j.Keys.SeasonAsset("queue-estimate"), `{"eu":35,"na":40,"apac":55}`, 30 * time.Second}, // EXPECT kvttl
		{j.Keys.SeasonAsset("motd:" + motdLocales), "Welcome back, pilots!", time.Hour},         // EXPECT kvlimits
	} {
		if err := j.R.Put(ctx, a.key, a.value, a.ttl, nil); err != nil {
			return fmt.Errorf("asset %s: %w", a.key, err)
		}
	}
	return nil
}
