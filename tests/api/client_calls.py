"""Calls the demo server through a client generated from its OpenAPI document
(openapi-python-client), the way a program would: search, related texts, a
draft. Fails (exit 1) on the first answer that is not what the document says.

Usage: python client_calls.py BASE_URL   (the generated package on sys.path)
"""
import sys

from rhizome_client import Client
from rhizome_client.api.related import draft, related
from rhizome_client.api.search import search
from rhizome_client.models import DraftRequest, DraftRequestCorpusItem, SearchCorpusItem, SearchMode
from rhizome_client.models import SearchResponse, RelatedResponse, DraftResponse

base = sys.argv[1]
client = Client(base_url=base, raise_on_unexpected_status=True)


def check(cond, what):
    if not cond:
        print(f"FAIL {what}")
        sys.exit(1)
    print(f"ok   {what}")


r = search.sync(client=client, q="le revenu de base", k=3, mode=SearchMode.HYBRID,
                corpus=[SearchCorpusItem("crouzet-blog"), SearchCorpusItem("essais")])
check(isinstance(r, SearchResponse) and len(r.hits) == 3, "search: three hits, typed")
check(all(h.corpus in ("crouzet-blog", "essais") for h in r.hits), "search: the corpus filter holds")
first = r.hits[0].text_id

rel = related.sync(client=client, id=first)
check(isinstance(rel, RelatedResponse) and rel.text == first, f"related of {first}")
check(all(t.evidence for t in rel.related), "related: every text has evidence")

d = draft.sync(client=client, body=DraftRequest(
    text="Le revenu de base libérerait chacun de la nécessité de vendre son temps, "
         "et chacun pourrait enfin choisir ce qu’il fait de ses journées.\n\n"
         "Les hommes servent volontairement le tyran qu’ils pourraient renverser "
         "en cessant simplement de le soutenir : la servitude est volontaire.",
    k=2, corpus=[DraftRequestCorpusItem("crouzet-blog")]))
check(isinstance(d, DraftResponse) and len(d.paragraphs) == 2, "draft: two paragraphs")
check(all(e.text_id.startswith("crouzet-blog/") for p in d.paragraphs for e in p.echoes),
      "draft: echoes come from the corpus asked")
bad = search.sync_detailed(client=Client(base_url=base), q=" ")
check(bad.status_code == 400, "search: a blank query is a documented 400")
