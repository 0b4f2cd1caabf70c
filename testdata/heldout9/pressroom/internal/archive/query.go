package archive

// issuesQuery is sent to the headless CMS to fetch the archive listing.
const issuesQuery = `query ArchiveIssues($tenant: ID!, $first: Int = 200, $after: String) {
  publication(id: $tenant) {
    id
    name
    issues(first: $first, after: $after, orderBy: {field: PUBLISHED_AT, direction: DESC}, filter: {status: PUBLISHED, visibility: PUBLIC}) {
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          slug
          title
          subtitle
          publishedAt
          readingTimeMinutes
          author { id name avatarUrl(size: 64) }
          heroImage { url(width: 1200, format: WEBP) alt width height }
          tags(first: 10) { edges { node { slug label } } }
          seo { title description canonicalUrl }
        }
      }
    }
  }
}`
