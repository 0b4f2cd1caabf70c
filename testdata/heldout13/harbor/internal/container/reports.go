package container

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"example.com/harbor/internal/storage"
)

// defaultHoldFilter is the saved filter of the customs desk's morning report:
// every deep-sea terminal, every authority and the hold reasons they track.
const defaultHoldFilter = "terminals=APMT-MV2,APMT-MV1,ECT-DELTA,ECT-EUROMAX,RWG,HUTCHISON-AMAZONEHAVEN,UNITED-WAALHAVEN,KRAMER-MAASVLAKTE,KRAMER-HOME,UWT-BOTLEK,RST-NORTH,RST-SOUTH,MEDREP,CETEM,ODFJELL,VOPAK-BOTLEK,VOPAK-EUROPOORT,MAASVLAKTE-OIL" +
	"&authorities=CUSTOMS-NL,NVWA,ILT,KMAR,PORT-AUTHORITY,HEALTH-PORT,FIOD,OM-ROTTERDAM" +
	"&reasons=documentary-check,physical-inspection,scan-required,phytosanitary,veterinary,dual-use,sanctions-screening,excise,anti-dumping,ipr-infringement,dangerous-goods,waste-shipment,cites,radiation-alarm,undeclared-goods" +
	"&sort=since&order=asc&include=metadata,terminal,authority,reason,since&format=summary"

// HoldSummary is the aggregated view shown on the customs desk.
type HoldSummary struct {
	Total       int            `json:"total"`
	ByAuthority map[string]int `json:"by_authority"`
	Oldest      time.Time      `json:"oldest"`
	Truncated   bool           `json:"truncated"`
	GeneratedAt time.Time      `json:"generated_at"`
}

// HoldCount returns the number of containers under customs hold.
func (p *Projector) HoldCount(ctx context.Context) (int, error) {
	page, err := p.st.List(ctx, storage.ListRequest{Prefix: p.holds.Prefix}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(page.Keys), nil
}

// Summarize builds a HoldSummary from hold metadata, reading at most maxKeys.
func (p *Projector) Summarize(ctx context.Context, maxKeys int) (HoldSummary, error) {
	keys, cursor, err := storage.Scan(p.st).Prefix(p.holds.Prefix).Limit(1000).Collect(ctx, maxKeys)
	if err != nil {
		return HoldSummary{}, err
	}
	sum := HoldSummary{ByAuthority: map[string]int{}, Truncated: cursor != "", GeneratedAt: time.Now().UTC()}
	for _, k := range keys {
		sum.Total++
		if a, ok := k.Metadata["authority"].(string); ok {
			sum.ByAuthority[a]++
		}
		since, _ := k.Metadata["since"].(float64)
		if t := time.Unix(int64(since), 0).UTC(); since > 0 && (sum.Oldest.IsZero() || t.Before(sum.Oldest)) {
			sum.Oldest = t
		}
	}
	return sum, nil
}

// DefaultHoldReport returns the customs desk's morning report, cached for ten
// minutes.
func (p *Projector) DefaultHoldReport(ctx context.Context) (HoldSummary, error) {
	key := "report:holds?" + defaultHoldFilter // EXPECT kvlimits
	if raw, err := p.st.Get(ctx, key); err == nil {
		var sum HoldSummary
		if json.Unmarshal(raw, &sum) == nil {
			return sum, nil
		}
	} else if !storage.IsNotFound(err) {
		return HoldSummary{}, err
	}
	sum, err := p.Summarize(ctx, 5000)
	if err != nil {
		return HoldSummary{}, err
	}
	b, err := json.Marshal(sum)
	if err != nil {
		return HoldSummary{}, err
	}
	if err := p.st.Put(ctx, key, b, storage.WithTTL(10*time.Minute)); err != nil {
		p.log.Warn("report cache fill failed", "err", err)
	}
	return sum, nil
}

// ExportHolds writes every hold as CSV for the customs authority's weekly
// reconciliation.
func (p *Projector) ExportHolds(ctx context.Context, w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"container", "authority", "reason", "since"})
	err := storage.Scan(p.st).Prefix(p.holds.Prefix).
		Limit(2000). // EXPECT kvlimits
		Each(ctx, func(k storage.Key) {
			md := k.Metadata
			_ = cw.Write([]string{strings.TrimPrefix(k.Name, p.holds.Prefix),
				fmt.Sprint(md["authority"]), fmt.Sprint(md["reason"]), fmt.Sprint(md["since"])})
		})
	cw.Flush()
	return errors.Join(err, cw.Error())
}
