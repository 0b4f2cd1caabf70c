package variants

import (
	"context"
	"encoding/json"
	"time"
)

// ccBySA40Notice is shown next to every variant of a CC BY-SA image.
const ccBySA40Notice = `This image is licensed under the Creative Commons Attribution-ShareAlike 4.0 International License (CC BY-SA 4.0). ` +
	`You are free to share (copy and redistribute the material in any medium or format) and adapt (remix, transform, and build upon the material) ` +
	`for any purpose, even commercially. The licensor cannot revoke these freedoms as long as you follow the license terms. ` +
	`Under the following terms: Attribution: you must give appropriate credit, provide a link to the license, and indicate if changes were made. ` +
	`You may do so in any reasonable manner, but not in any way that suggests the licensor endorses you or your use. ` +
	`ShareAlike: if you remix, transform, or build upon the material, you must distribute your contributions under the same license as the original. ` +
	`No additional restrictions: you may not apply legal terms or technological measures that legally restrict others from doing anything the license permits. ` +
	`Notices: you do not have to comply with the license for elements of the material in the public domain or where your use is permitted by an applicable exception or limitation. ` +
	`No warranties are given. The license may not give you all of the permissions necessary for your intended use. For example, other rights such as publicity, privacy, or moral rights may limit how you use the material. ` +
	`Full legal code: https://creativecommons.org/licenses/by-sa/4.0/legalcode`

// attribution is stored as KV metadata on each published variant so the edge
// can render credits from a list call.
type attribution struct {
	Owner   string `json:"owner"`
	License string `json:"license"`
	Notice  string `json:"notice,omitempty"`
}

// PublishVariant stores a pointer from a public variant name to its R2 key,
// with the attribution as metadata.
func (s *Service) PublishVariant(ctx context.Context, m *Manifest, v Variant, ccBySA bool) error {
	key := "variant:" + m.ImageID + ":" + v.Name
	raw, _ := json.Marshal(v)
	if ccBySA {
		return s.KV.PutWithMeta(ctx, key, raw, attribution{Owner: m.Owner, License: "CC-BY-SA-4.0", Notice: ccBySA40Notice}, 0) // EXPECT kvlimits
	}
	return s.KV.PutWithMeta(ctx, key, raw, attribution{Owner: m.Owner, License: "all-rights-reserved"}, 0)
}

// ImportBatch records a batch of images imported from a partner feed and
// refreshes the "latest upload" tile on the public homepage.
func (s *Service) ImportBatch(ctx context.Context, batch []Manifest) error {
	for i := range batch {
		m := &batch[i]
		m.Updated = time.Now().Unix()
		if err := s.KV.PutJSON(ctx, manifestKey(m.ImageID), m, 0); err != nil {
			return err
		}
		if err := s.KV.PutJSON(ctx, "home:latest-upload", m, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
