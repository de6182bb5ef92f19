import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.InvalidAlgorithmParameterException;
import java.security.spec.AlgorithmParameterSpec;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import javax.xml.crypto.Data;
import javax.xml.crypto.MarshalException;
import javax.xml.crypto.OctetStreamData;
import javax.xml.crypto.XMLCryptoContext;
import javax.xml.crypto.XMLStructure;
import javax.xml.crypto.dom.DOMStructure;
import javax.xml.crypto.dsig.TransformException;
import javax.xml.crypto.dsig.TransformService;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The OPC Relationship transform (ECMA-376 Part 2, 13.2.4.24), written from the standard:
 * keep the Relationship elements named by RelationshipReference/@SourceId (or whose Type is
 * named by RelationshipsGroupReference/@SourceType), default TargetMode to "Internal", sort
 * them by Id, drop everything else. Its output is an octet stream that the following C14N
 * transform canonicalises.
 */
public final class RelationshipTransform extends TransformService {
    static final String ALGORITHM = "http://schemas.openxmlformats.org/package/2006/RelationshipTransform";
    static final String MDSSI = "http://schemas.openxmlformats.org/package/2006/digital-signature";

    private final Set<String> sourceIds = new HashSet<>();
    private final Set<String> sourceTypes = new HashSet<>();

    @Override
    public void init(TransformParameterSpec params) throws InvalidAlgorithmParameterException {
        if (params != null) {
            throw new InvalidAlgorithmParameterException("parameters come from the XML only");
        }
    }

    @Override
    public void init(XMLStructure parent, XMLCryptoContext context) throws InvalidAlgorithmParameterException {
        Node transform = ((DOMStructure) parent).getNode();
        NodeList children = transform.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node child = children.item(i);
            if (child.getNodeType() != Node.ELEMENT_NODE || !MDSSI.equals(child.getNamespaceURI())) {
                continue;
            }
            Element el = (Element) child;
            if ("RelationshipReference".equals(el.getLocalName())) {
                sourceIds.add(el.getAttribute("SourceId"));
            } else if ("RelationshipsGroupReference".equals(el.getLocalName())) {
                sourceTypes.add(el.getAttribute("SourceType"));
            }
        }
    }

    @Override
    public void marshalParams(XMLStructure parent, XMLCryptoContext context) throws MarshalException {
        throw new MarshalException("this verifier does not create signatures");
    }

    @Override
    public AlgorithmParameterSpec getParameterSpec() {
        return null;
    }

    @Override
    public boolean isFeatureSupported(String feature) {
        return false;
    }

    @Override
    public Data transform(Data data, XMLCryptoContext context) throws TransformException {
        try {
            InputStream in = ((OctetStreamData) data).getOctetStream();
            Document doc = OoxmlVerify.parse(in.readAllBytes());
            Element root = doc.getDocumentElement();
            TreeMap<String, Element> kept = new TreeMap<>();
            NodeList children = root.getChildNodes();
            for (int i = children.getLength() - 1; i >= 0; i--) {
                Node child = children.item(i);
                if (child.getNodeType() == Node.ELEMENT_NODE && "Relationship".equals(child.getLocalName())) {
                    Element el = (Element) child;
                    if (sourceIds.contains(el.getAttribute("Id")) || sourceTypes.contains(el.getAttribute("Type"))) {
                        if (el.getAttribute("TargetMode").isEmpty()) {
                            el.setAttribute("TargetMode", "Internal");
                        }
                        kept.put(el.getAttribute("Id"), el);
                    }
                }
                root.removeChild(child);
            }
            for (Element el : kept.values()) {
                root.appendChild(el);
            }
            Transformer serializer = TransformerFactory.newInstance().newTransformer();
            serializer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            serializer.transform(new DOMSource(doc), new StreamResult(out));
            return new OctetStreamData(new ByteArrayInputStream(out.toByteArray()));
        } catch (Exception e) {
            throw new TransformException(e);
        }
    }

    @Override
    public Data transform(Data data, XMLCryptoContext context, OutputStream os) throws TransformException {
        throw new TransformException("streaming output is not supported");
    }
}
