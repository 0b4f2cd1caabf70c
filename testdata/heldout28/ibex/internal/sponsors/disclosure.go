package sponsors

// adDisclosureText is read out or displayed with every host-read sponsor
// segment. Legal owns the wording; do not edit without their sign-off.
const adDisclosureText = "Paid promotion. This segment is sponsored. The host may have received compensation, " +
	"free products or other consideration from the sponsor in exchange for this mention. " +
	"Statements about the sponsor's products are the sponsor's claims and have not been " +
	"independently verified by the show, its network or the hosting platform. Offers, promo " +
	"codes and prices mentioned are provided by the sponsor, may be limited in time or region, " +
	"and are subject to the sponsor's own terms. Listeners should review those terms before " +
	"purchasing. Health, financial or legal statements in this segment are not advice and do " +
	"not replace a qualified professional. The show and the platform do not endorse any " +
	"product unless explicitly stated by the host in their own words. Affiliate links in the " +
	"episode notes may earn the show a commission. For questions about this sponsorship or to " +
	"report a misleading advertisement, contact the network's advertising standards team using " +
	"the address listed on the show page. This disclosure is provided in accordance with the " +
	"applicable advertising guidelines in the listener's jurisdiction."

// disclosureMeta is attached to creative keys so the ad server can render
// the disclosure without fetching the creative.
type disclosureMeta struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// shortDisclosure fits comfortably in key metadata.
const shortDisclosure = "Sponsored. See show page for details."
