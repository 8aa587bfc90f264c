//! The text graph as files other tools read: GEXF 1.3 (Gephi) and GraphML
//! (networkx, igraph, yEd, Cytoscape).

use std::fmt::Write as _;

use super::Graph;

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// GEXF 1.3, as read by Gephi.
pub fn to_gexf(g: &Graph) -> String {
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gexf xmlns=\"http://gexf.net/1.3\" version=\"1.3\">\n  <meta><creator>Rhizome</creator><description>texts linked by echoing passages</description></meta>\n  <graph mode=\"static\" defaultedgetype=\"undirected\">\n");
    o.push_str("    <attributes class=\"node\">\n      <attribute id=\"corpus\" title=\"corpus\" type=\"string\"/>\n      <attribute id=\"cluster\" title=\"cluster\" type=\"integer\"/>\n      <attribute id=\"degree\" title=\"degree\" type=\"integer\"/>\n    </attributes>\n");
    o.push_str("    <attributes class=\"edge\">\n      <attribute id=\"author\" title=\"author\" type=\"boolean\"/>\n      <attribute id=\"kind\" title=\"kind\" type=\"string\"/>\n    </attributes>\n    <nodes>\n");
    for n in &g.nodes {
        let _ = writeln!(o, "      <node id=\"{}\" label=\"{}\"><attvalues><attvalue for=\"corpus\" value=\"{}\"/><attvalue for=\"cluster\" value=\"{}\"/><attvalue for=\"degree\" value=\"{}\"/></attvalues></node>", xml(&n.id), xml(&n.title), xml(&n.corpus), n.cluster, n.degree);
    }
    o.push_str("    </nodes>\n    <edges>\n");
    for (i, e) in g.edges.iter().enumerate() {
        let _ = writeln!(o, "      <edge id=\"{i}\" source=\"{}\" target=\"{}\" weight=\"{}\"><attvalues><attvalue for=\"author\" value=\"{}\"/><attvalue for=\"kind\" value=\"{}\"/></attvalues></edge>", xml(&e.source), xml(&e.target), e.weight, e.author, e.kind.as_str());
    }
    o.push_str("    </edges>\n  </graph>\n</gexf>\n");
    o
}

/// GraphML, as read by networkx, igraph, yEd, Cytoscape.
pub fn to_graphml(g: &Graph) -> String {
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    o.push_str("  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n  <key id=\"corpus\" for=\"node\" attr.name=\"corpus\" attr.type=\"string\"/>\n  <key id=\"cluster\" for=\"node\" attr.name=\"cluster\" attr.type=\"int\"/>\n  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n  <key id=\"author\" for=\"edge\" attr.name=\"author\" attr.type=\"boolean\"/>\n  <key id=\"kind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n  <graph id=\"rhizome\" edgedefault=\"undirected\">\n");
    for n in &g.nodes {
        let _ = writeln!(o, "    <node id=\"{}\"><data key=\"label\">{}</data><data key=\"corpus\">{}</data><data key=\"cluster\">{}</data></node>", xml(&n.id), xml(&n.title), xml(&n.corpus), n.cluster);
    }
    for e in &g.edges {
        let _ = writeln!(o, "    <edge source=\"{}\" target=\"{}\"><data key=\"weight\">{}</data><data key=\"author\">{}</data><data key=\"kind\">{}</data></edge>", xml(&e.source), xml(&e.target), e.weight, e.author, e.kind.as_str());
    }
    o.push_str("  </graph>\n</graphml>\n");
    o
}
