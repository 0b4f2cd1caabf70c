package webauthn

import (
	"context"
	"time"

	"example.com/identity/internal/store"
)

// fidoRootPEM is the FIDO Metadata Service root we pin.
const fidoRootPEM = "-----BEGIN CERTIFICATE-----\n" +
	"uCRNAomB1pOve0Vq+O+kytY9KC4Z/xSULCRuUNk1HSJwSoAqccNYC2Nw3kzrKTwy\n" +
	"SoQjNCVX1OXDhDjw42kQ7ntUtmg2wfvdE9JEHZ4UNNxiymd/to9f5mpGS6rezb0A\n" +
	"V2+Na1rDvMgIRLfVCxzGYDREu+fPz4/Aqh7jxjbZ4zn6uEjJtleoU+43wJy/3RSd\n" +
	"CzgHsZHd6bYjzNlSgd0YcFtIyJsVA5A4RbuldTlFNR/mtFSFJ2D3NSnPAcqPadzK\n" +
	"5Fv1gX3flKovekBwcfDu3GvrmPdotM0z0RdtRNFWOkWl1yEikOt2cMZ4axNZGu2s\n" +
	"hkeJk4leiyTmEgFKuqa6BLW4xyVQe1sTFY4CDZb+TPv213TgkWHitZm481rjHxbj\n" +
	"lYJe3viqaa0wTvgP7ZuqBYDSR82E5Xoq4jmuyQ0tWGkJXz5EilX6LDxwScAdzxL7\n" +
	"h8REd882eZMTLKdMkqJ6HqqjQcL9VyTqRJzsJyhUfoDtu35gKYkcX/0Vfig+u0Hl\n" +
	"WBUIfflbfAT88+icPL7o/BC9FaSyafKRlwkWfTIDhLFcQba3XpeKsNRmi2x3qn8c\n" +
	"riQ/abVPyXC8o3JggPSVNTZdEaHf5hC2DvqZYTbTeriv0nFbjGvChQ3F5gBbcCu5\n" +
	"9ZsPMG7LLEPuRMQpln1FhDUk6y98Fqq5veFC7iaLUcY=\n" +
	"-----END CERTIFICATE-----\n"

// MarkRootTrusted remembers that the pinned root verified today's BLOB, so
// edge Workers can skip the chain check.
func MarkRootTrusted(ctx context.Context, st store.Store, at time.Time) error {
	return st.Put(ctx, "mds:trusted:"+fidoRootPEM, []byte(at.UTC().Format(time.RFC3339)), store.WithTTL(24*time.Hour)) // EXPECT kvlimits
}
