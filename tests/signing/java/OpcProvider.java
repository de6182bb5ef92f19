import java.security.Provider;

/** Registers {@link RelationshipTransform} with the JDK's XML-DSig machinery. */
public final class OpcProvider extends Provider {
    private static final long serialVersionUID = 1L;

    public OpcProvider() {
        super("QujatOpcProvider", "1.0", "OPC Relationship transform for XML-DSig");
        put("TransformService." + RelationshipTransform.ALGORITHM, RelationshipTransform.class.getName());
        put("TransformService." + RelationshipTransform.ALGORITHM + " MechanismType", "DOM");
    }
}
