// Package v1alpha1 holds the hand-written API types of the edge.condor.dev group.
//
// The types are deliberately small: the operator only needs enough of each
// resource to project it into the edge key space read by the router Worker.
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group version used to register these objects.
	GroupVersion = schema.GroupVersion{Group: "edge.condor.dev", Version: "v1alpha1"}

	// SchemeBuilder is used to add go types to the GroupVersionKind scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the types in this group-version to the given scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func init() {
	SchemeBuilder.Register(
		&Site{}, &SiteList{},
		&Route{}, &RouteList{},
		&Redirect{}, &RedirectList{},
		&MaintenanceWindow{}, &MaintenanceWindowList{},
		&Preview{}, &PreviewList{},
		&CustomDomain{}, &CustomDomainList{},
	)
}

// Well-known labels and annotations shared by every kind.
const (
	LabelTenant = "condor.dev/tenant"
	LabelSite   = "condor.dev/site"

	AnnotationEdgeTTL          = "condor.dev/edge-ttl"
	AnnotationExpiresAt        = "condor.dev/expires-at"
	AnnotationRotateShareToken = "condor.dev/rotate-share-token"
	AnnotationPriority         = "condor.dev/priority"

	// Finalizer is put on every object that owns keys at the edge.
	Finalizer = "edge.condor.dev/unpublish"
)
