package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SiteSpec describes a hosted site and the origin that serves it.
type SiteSpec struct {
	Hostname string `json:"hostname"`
	Origin   string `json:"origin"`
	// CacheSeconds is how long the router may cache the site record.
	CacheSeconds int  `json:"cacheSeconds,omitempty"`
	Suspended    bool `json:"suspended,omitempty"`
}

// SiteStatus is written back by the site controller.
type SiteStatus struct {
	PublishedGeneration int64        `json:"publishedGeneration,omitempty"`
	PublishedAt         *metav1.Time `json:"publishedAt,omitempty"`
	EdgeKeys            int          `json:"edgeKeys,omitempty"`
	Message             string       `json:"message,omitempty"`
}

// Site is a hosted site.
type Site struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   SiteSpec   `json:"spec,omitempty"`
	Status SiteStatus `json:"status,omitempty"`
}

// SiteList is a list of Site.
type SiteList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Site `json:"items"`
}

// RouteSpec maps a path prefix on a site to an upstream.
type RouteSpec struct {
	Site       string            `json:"site"`
	PathPrefix string            `json:"pathPrefix"`
	Upstream   string            `json:"upstream"`
	Headers    map[string]string `json:"headers,omitempty"`
	Weight     int               `json:"weight,omitempty"`
}

// RouteStatus is written back by the route controller.
type RouteStatus struct {
	Published bool   `json:"published,omitempty"`
	EdgeKey   string `json:"edgeKey,omitempty"`
}

// Route is a path-level routing rule of a Site.
type Route struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   RouteSpec   `json:"spec,omitempty"`
	Status RouteStatus `json:"status,omitempty"`
}

// RouteList is a list of Route.
type RouteList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Route `json:"items"`
}

// RedirectSpec describes a redirect served directly by the edge.
type RedirectSpec struct {
	Site   string `json:"site"`
	From   string `json:"from"`
	To     string `json:"to"`
	Status int    `json:"status,omitempty"`
	// TTLSeconds makes the redirect temporary; zero means permanent.
	TTLSeconds int `json:"ttlSeconds,omitempty"`
}

// Redirect is an edge redirect.
type Redirect struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec RedirectSpec `json:"spec,omitempty"`
}

// RedirectList is a list of Redirect.
type RedirectList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Redirect `json:"items"`
}

// MaintenanceWindowSpec puts a site behind a maintenance page for a while.
type MaintenanceWindowSpec struct {
	Site  string      `json:"site"`
	Start metav1.Time `json:"start"`
	End   metav1.Time `json:"end"`
	// Page is the HTML served during the window; empty means the default page.
	Page string `json:"page,omitempty"`
	// Bypass lists client CIDRs that skip the maintenance page.
	Bypass []string `json:"bypass,omitempty"`
}

// MaintenanceWindow is a scheduled maintenance window.
type MaintenanceWindow struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec MaintenanceWindowSpec `json:"spec,omitempty"`
}

// MaintenanceWindowList is a list of MaintenanceWindow.
type MaintenanceWindowList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MaintenanceWindow `json:"items"`
}

// PreviewSpec describes a deploy preview.
type PreviewSpec struct {
	Site     string `json:"site"`
	Commit   string `json:"commit"`
	Upstream string `json:"upstream"`
	// Protected previews require a share token or a password session.
	Protected bool `json:"protected,omitempty"`
	// Lifetime of the preview; defaults to seven days.
	Lifetime *metav1.Duration `json:"lifetime,omitempty"`
}

// PreviewStatus is written back by the preview controller.
type PreviewStatus struct {
	Hostname   string       `json:"hostname,omitempty"`
	ShareToken string       `json:"shareToken,omitempty"`
	ExpiresAt  *metav1.Time `json:"expiresAt,omitempty"`
}

// Preview is a deploy preview of a Site.
type Preview struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   PreviewSpec   `json:"spec,omitempty"`
	Status PreviewStatus `json:"status,omitempty"`
}

// PreviewList is a list of Preview.
type PreviewList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Preview `json:"items"`
}

// CustomDomainSpec attaches a customer hostname to a Site.
type CustomDomainSpec struct {
	Site     string `json:"site"`
	Hostname string `json:"hostname"`
}

// CustomDomainStatus tracks ownership verification.
type CustomDomainStatus struct {
	VerificationToken string       `json:"verificationToken,omitempty"`
	Verified          bool         `json:"verified,omitempty"`
	VerifiedAt        *metav1.Time `json:"verifiedAt,omitempty"`
	Conflict          string       `json:"conflict,omitempty"`
}

// CustomDomain is a customer-owned hostname.
type CustomDomain struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   CustomDomainSpec   `json:"spec,omitempty"`
	Status CustomDomainStatus `json:"status,omitempty"`
}

// CustomDomainList is a list of CustomDomain.
type CustomDomainList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []CustomDomain `json:"items"`
}
